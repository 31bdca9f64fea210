package dev.loupe.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code loupe uplift ...}: UPLiFT feature upsampling. */
@Command(name = "uplift", mixinStandardHelpOptions = true,
        description = "UPLiFT feature upsampling (official checkpoints and Loupe's own).",
        subcommands = {
            UpliftApplyCommand.class,
        })
public final class UpliftCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
