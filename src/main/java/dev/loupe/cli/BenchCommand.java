package dev.loupe.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code loupe bench ...}: measured speed and memory. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure speed and memory on this machine.",
        subcommands = {
            BenchUpliftCommand.class,
            BenchUpsamplersCommand.class,
        })
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
