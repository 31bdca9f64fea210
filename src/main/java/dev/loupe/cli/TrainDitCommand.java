package dev.loupe.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.Progress;
import dev.loupe.diffusion.DitTrainer;
import dev.loupe.diffusion.PixArtConfig;
import dev.loupe.diffusion.PromptEncoderConfig;
import dev.loupe.diffusion.TextToImageConfig;
import dev.loupe.diffusion.TextToImageModel;
import dev.loupe.models.LoupeHome;
import dev.loupe.world.ShapesWorld;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loupe train dit}: trains the sample text-to-image model on ShapesWorld. */
@Command(name = "dit", mixinStandardHelpOptions = true, description = {
    "Train the sample text-to-image model (PixArt architecture in pixel space, 32x32 RGB, rectified flow) on",
    "ShapesWorld scenes and their captions. Checkpoints and sample sheets go to OUT/training/; the finished model",
    "(EMA weights, model.json) to OUT. Ctrl-C saves a checkpoint; --resume continues it exactly."})
public final class TrainDitCommand implements Callable<Integer> {
    /** The shipped model's architecture: 8 blocks of width 128 on 8x8 patch tokens, captions of width 128. */
    static final int WIDTH = 128;
    static final int HEAD_DIM = 32;
    static final int BLOCKS = 8;
    static final int PATCH = 4;
    static final int IMAGE_SIZE = 32;
    static final long DEFAULT_STEPS = 6000;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--steps", paramLabel = "N", description = "Optimisation steps (default " + DEFAULT_STEPS + ").")
    Long steps;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: sample-models/sample-dit).")
    Path out;

    @Option(names = "--resume", description = "Continue the checkpoint in OUT/training.")
    boolean resume;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "B", description = "Images per step (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--guidance", defaultValue = "4.0", paramLabel = "G",
            description = "Guidance scale recorded as the model's default (default ${DEFAULT-VALUE}).")
    double guidance;

    @Option(names = "--sample-every", defaultValue = "1000", paramLabel = "N",
            description = "Steps between sample sheets in OUT/training/samples (0: none; default ${DEFAULT-VALUE}).")
    int sampleEvery;

    @Option(names = "--width", hidden = true, defaultValue = "" + WIDTH)
    int width;

    @Option(names = "--blocks", hidden = true, defaultValue = "" + BLOCKS)
    int blocks;

    @Option(names = "--lr", hidden = true, defaultValue = "1e-3")
    float learningRate;

    @Option(names = "--checkpoint-every", hidden = true, defaultValue = "250")
    int checkpointEvery;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        Path folder = out != null ? out : LoupeHome.sampleModels().resolve("sample-dit");
        long total = steps == null ? DEFAULT_STEPS : steps;
        if (total < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--steps must be at least 1, got " + total);
        if (batch < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be at least 1, got " + batch);
        if (Files.exists(folder) && !Files.isDirectory(folder)) throw new LoupeException(folder + ": exists and is not a folder");
        TextToImageConfig config = architecture(width, blocks, guidance);
        DitTrainer.Options options = DitTrainer.Options.recipe(total, batch, learningRate, checkpointEvery, sampleEvery);

        Cancellation cancellation = new Cancellation();
        Thread hook = new Thread(cancellation::requestAndWait, "dit-cancel");
        Runtime.getRuntime().addShutdownHook(hook);
        try (NDManager manager = NDManager.newBaseManager()) {
            TextToImageModel model = new TextToImageModel(manager, config);
            DitTrainer trainer = new DitTrainer(model, options, folder);
            ProgressLine line = new ProgressLine(System.err);
            stdout.printf(Locale.ROOT, "training %s: %,d parameters, %d steps of %d images -> %s%n",
                    "sample-dit", model.parameterCount(), total, batch, folder);
            stdout.flush();
            DitTrainer.Result result = trainer.train(resume, cancellation.wrap(line));
            line.finish();
            if (result.cancelled()) {
                stdout.printf(Locale.ROOT, "stopped at step %d; checkpoint in %s (continue with --resume)%n", result.step(),
                        trainer.checkpointDir());
                return 130;
            }
            trainer.ema().save(folder, card(options, result, folder));
            stdout.printf(Locale.ROOT, "trained %d steps in %s wall, %s CPU; final loss %.4f; model in %s%n", result.step(),
                    duration(result.wallSeconds()), duration(result.cpuSeconds()), tailMean(result), folder);
            return 0;
        } finally {
            cancellation.done();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for done() above
            }
        }
    }

    /** The sample model's architecture (a different width or depth only for experiments and tests). */
    static TextToImageConfig architecture(int width, int blocks, double guidance) {
        int headDim = Math.min(HEAD_DIM, width);
        PixArtConfig transformer = PixArtConfig.of(width / headDim, headDim, blocks, 3, 3, IMAGE_SIZE, PATCH, width);
        PromptEncoderConfig encoder = PromptEncoderConfig.of(width, 2, width / headDim, 24);
        return new TextToImageConfig(transformer, encoder, new TextToImageConfig.SamplerSettings(20, guidance, 1.0));
    }

    private JsonObject card(DitTrainer.Options options, DitTrainer.Result result, Path folder) {
        JsonObject card = new JsonObject();
        card.addProperty("name", folder.getFileName().toString());
        card.addProperty("kind", "text-to-image-dit");
        card.addProperty("description", "Sample text-to-image diffusion transformer for ECAD caching: PixArt-α architecture in "
                + "pixel space (32x32 RGB, 4x4 patches, " + blocks + " blocks of width " + width + "), a 2-layer prompt encoder "
                + "over the ShapesWorld vocabulary, rectified flow, 20 Euler steps with classifier-free guidance.");
        StringBuilder command = new StringBuilder("./loupe train dit --steps " + options.steps());
        if (options.batchSize() != 64) command.append(" --batch ").append(options.batchSize());
        command.append(" --guidance ").append(guidance);
        command.append(" --out sample-models/").append(folder.getFileName());
        card.addProperty("command", command.toString());
        JsonObject data = new JsonObject();
        data.addProperty("world", "ShapesWorld v" + ShapesWorld.VERSION);
        data.addProperty("scenes", String.format(Locale.ROOT, "seeds %d..%d (one fresh batch per step), %d x %d px, with their captions",
                options.firstScene(), options.firstScene() + options.steps() * options.batchSize() - 1, IMAGE_SIZE, IMAGE_SIZE));
        card.add("data", data);
        card.add("training", options.toJson());
        JsonObject time = new JsonObject();
        time.addProperty("wall_seconds", Math.round(result.wallSeconds()));
        time.addProperty("cpu_seconds", Math.round(result.cpuSeconds()));
        time.addProperty("machine", Runtime.getRuntime().availableProcessors() + " cores, shared");
        card.add("training_time", time);
        JsonObject metrics = new JsonObject();
        metrics.addProperty("final_loss", tailMean(result));
        card.add("metrics", metrics);
        return card;
    }

    /** Mean loss over the last 200 steps (or all, if fewer). */
    static double tailMean(DitTrainer.Result result) {
        int n = result.losses().size();
        return result.losses().subList(Math.max(0, n - 200), n).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }

    /** Ctrl-C: the shutdown hook asks the trainer to stop and waits until it has saved its checkpoint. */
    private static final class Cancellation {
        private final AtomicBoolean requested = new AtomicBoolean();
        private final CountDownLatch finished = new CountDownLatch(1);

        void requestAndWait() {
            requested.set(true);
            try {
                finished.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void done() {
            finished.countDown();
        }

        Progress wrap(Progress inner) {
            return new Progress() {
                @Override
                public void update(double fraction, String message) {
                    inner.update(fraction, message);
                }

                @Override
                public boolean isCancelled() {
                    return requested.get() || inner.isCancelled();
                }
            };
        }
    }
}
