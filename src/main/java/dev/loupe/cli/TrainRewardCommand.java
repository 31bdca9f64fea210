package dev.loupe.cli;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.eval.RewardTraining;
import dev.loupe.eval.reward.RewardConfig;
import dev.loupe.eval.reward.RewardTrainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "reward", mixinStandardHelpOptions = true, description = {
    "Train the reward model (scores how well a 32x32 image matches a ShapesWorld prompt) on fresh ShapesWorld scenes"
        + " degraded like generated images, then evaluate it on held-out scenes and write OUT/model.json and"
        + " OUT/reward.safetensors.",
    "Checkpoints go to OUT/checkpoint every 250 steps; running the same command again resumes from the last one."})
public final class TrainRewardCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--steps", defaultValue = "3000", paramLabel = "N", description = "Training steps (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "B", description = "Scenes per step (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--out", defaultValue = "runs/reward", paramLabel = "DIR",
            description = "Model folder to write (default ${DEFAULT-VALUE}); checkpoints in DIR/checkpoint.")
    Path out;

    @Option(names = "--eval-scenes", defaultValue = "2000", paramLabel = "N",
            description = "Held-out scenes for the card's metrics (default ${DEFAULT-VALUE}).")
    int evalScenes;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "T", description = {
        "Threads for tensor work (default ${DEFAULT-VALUE}: the network is small, and more threads mostly wait for each"
            + " other; the next batch is prepared on a second thread meanwhile)."})
    int threads;

    @Override
    public Integer call() throws IOException {
        if (steps < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--steps must be at least 1, got " + steps);
        if (batch < 2) throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be at least 2, got " + batch);
        if (evalScenes < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--eval-scenes must be at least 1, got " + evalScenes);
        if (threads < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be at least 1, got " + threads);
        if (Files.exists(out) && !Files.isDirectory(out)) throw new LoupeException(out + ": exists and is not a folder");
        Engine.getInstance(); // loads libtorch, so that the thread count can be set
        int threadsBefore = JniUtils.getNumThreads();
        JniUtils.setNumThreads(threads);
        RewardTrainer.Options options = RewardTrainer.Options.defaults(steps, out.resolve("checkpoint")).withBatchSize(batch);
        String command = String.format(Locale.ROOT, "./loupe train reward --steps %d --batch %d --eval-scenes %d --threads %d --out %s",
                steps, batch, evalScenes, threads, out);
        ProgressLine progress = new ProgressLine(System.err);
        RewardTraining.Outcome outcome;
        try {
            outcome = RewardTraining.run(new RewardTraining.Settings(out, RewardConfig.sample(), options, evalScenes, command), progress);
        } finally {
            JniUtils.setNumThreads(threadsBefore);
        }
        progress.finish();

        PrintWriter stdout = spec.commandLine().getOut();
        JsonObject card = outcome.card();
        JsonObject metrics = card.getAsJsonObject("metrics");
        stdout.printf(Locale.ROOT, "trained the reward model for %d steps in %s; wrote %s%n", outcome.result().step(),
                card.get("training_time").getAsString(), out.resolve("model.json"));
        for (String condition : new String[] {"held_out_clean", "held_out_degraded"}) {
            JsonObject m = metrics.getAsJsonObject(condition);
            stdout.printf(Locale.ROOT, "%-18s objects exact %.3f  count %.3f  background kind %.3f colour %.3f  "
                            + "true caption preferred %.3f%n", condition.replace('_', ' '), m.get("objects_exact").getAsDouble(),
                    m.get("count").getAsDouble(), m.get("background_kind").getAsDouble(), m.get("background_colour").getAsDouble(),
                    m.getAsJsonObject("pairwise_true_over_corrupted").get("all").getAsDouble());
        }
        stdout.printf(Locale.ROOT, "throughput %d images/s on one thread%n",
                metrics.getAsJsonObject("throughput").get("images_per_second_one_thread").getAsLong());
        stdout.flush();
        return 0;
    }
}
