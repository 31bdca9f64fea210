package dev.loupe.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code loupe train <model>}: reproduces the shipped sample models (or trains new ones). */
@Command(name = "train", description = "Train a sample model (the commands in the model cards reproduce them).",
        subcommands = {
            TrainRewardCommand.class,
            TrainBackboneCommand.class,
            TrainUpliftCommand.class,
            TrainUpsamplerCommand.class,
            TrainDitCommand.class,
            TrainDitPreferenceCommand.class,
        })
public final class TrainCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
