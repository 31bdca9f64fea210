package dev.loupe.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code loupe dit ...}: verbs that run a PixArt-style diffusion transformer directly. */
@Command(name = "dit", mixinStandardHelpOptions = true, description = "Run a PixArt-style diffusion transformer (diffusers format) directly.",
        subcommands = {
            DitStepsCommand.class,
            DitDenoiseCommand.class,
        })
public final class DitCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
