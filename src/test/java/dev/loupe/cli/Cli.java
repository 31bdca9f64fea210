package dev.loupe.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the real command line in-process and captures what it prints. */
final class Cli {
    private Cli() {}

    record Result(int exitCode, String out, String err) {
        /** The lines a user sees on stderr, without DJL's engine chatter. */
        String userErr() {
            return err.lines().filter(l -> !l.contains(" WARN ")).reduce("", (a, b) -> a.isEmpty() ? b : a + "\n" + b);
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = LoupeCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
