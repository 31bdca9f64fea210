package dev.loupe.cli;

import dev.loupe.LoupeException;
import dev.loupe.Version;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code loupe} command; each verb is its own class. */
@Command(name = "loupe", mixinStandardHelpOptions = true, versionProvider = LoupeCommand.VersionProvider.class,
        description = "Dense features (UPLiFT) and diffusion caching schedules (ECAD) on your own models, offline.",
        subcommands = {
            VersionCommand.class,
            GuiCommand.class,
            ScheduleCommand.class,
            WorldCommand.class,
            TrainCommand.class,
            FeaturesCommand.class,
            DitCommand.class,
            MacsCommand.class,
            RenderCommand.class,
            UpliftCommand.class,
            BenchCommand.class,
            ScoreCommand.class,
            SearchCommand.class,
        })
public final class LoupeCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the command line and returns the exit code; errors become one clear line on stderr. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new LoupeCommand());
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("loupe: " + ex.getMessage() + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help')");
            err.flush();
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            PrintWriter err = line.getErr();
            err.println("loupe: " + LoupeException.userMessage(ex));
            if (Boolean.getBoolean("loupe.debug")) ex.printStackTrace(err);
            err.flush();
            return 1;
        });
        return cl;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Loupe " + Version.get()};
        }
    }
}
