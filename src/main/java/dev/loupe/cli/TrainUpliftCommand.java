package dev.loupe.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loupe.LoupeException;
import dev.loupe.backbone.Backbone;
import dev.loupe.backbone.Backbones;
import dev.loupe.eval.Timing;
import dev.loupe.eval.UpsamplerEvaluation;
import dev.loupe.models.ModelCard;
import dev.loupe.tensor.AtomicFiles;
import dev.loupe.upsample.BilinearUpsampler;
import dev.loupe.upsample.NearestUpsampler;
import dev.loupe.upsample.Upsampler;
import dev.loupe.upsample.UpsamplerTrainingRecipe;
import dev.loupe.upsample.uplift.Uplift;
import dev.loupe.upsample.uplift.UpliftConfig;
import dev.loupe.upsample.uplift.UpliftTrainer;
import dev.loupe.upsample.uplift.UpliftUpsampler;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loupe train uplift}: UPLiFT for a backbone with the UPLiFT recipe on ShapesWorld (reproduces sample-models/sample-uplift). */
@Command(name = "uplift", mixinStandardHelpOptions = true, description = {
    "Train UPLiFT for a backbone with the reference multi-depth recipe on ShapesWorld scenes (the backbone stays frozen).",
    "Writes DIR/model.safetensors and DIR/model.json (UPLiFT configuration, backbone, command, data, training time and",
    "held-out metrics against bilinear and nearest upsampling); checkpoints go to DIR/checkpoint and the same command",
    "resumes from there. Use the folder with 'loupe features --upsampler DIR'."})
public final class TrainUpliftCommand implements Callable<Integer> {
    /** The shipped configuration sized for the sample ViT; other backbones get it with their own width and patch. */
    public static final String SAMPLE_CONFIG = UpliftConfig.SAMPLE_VIT;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--backbone", defaultValue = Backbones.SAMPLE, paramLabel = "sample|FILE",
            description = "The frozen backbone: 'sample', a TorchScript/ONNX file or a sample ViT folder (default ${DEFAULT-VALUE}).")
    String backbone;

    @Option(names = "--steps", defaultValue = "1500", paramLabel = "N", description = "Optimisation steps (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--out", defaultValue = "sample-uplift", paramLabel = "DIR", description = "Output folder (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--config", paramLabel = "NAME|FILE",
            description = "UPLiFT configuration: its architecture, and its train section's imsize, down_steps, batch_size, lr "
                    + "and lat_aug (default: " + SAMPLE_CONFIG + " with the backbone's channels and patch, trained with the "
                    + "recipe every upsampler shares).")
    String config;

    @Option(names = "--checkpoint-every", defaultValue = "200", paramLabel = "N", description = "Checkpoint every N steps (default ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--eval-scenes", defaultValue = "100", paramLabel = "N",
            description = "Held-out scenes (seeds 0..N-1) for the card's metrics (default ${DEFAULT-VALUE}).")
    int evalScenes;

    @Option(names = "--batch", hidden = true, paramLabel = "B", description = "Scenes per step (default: the recipe's; tests use tiny runs).")
    Integer batch;

    @Override
    public Integer call() throws IOException {
        if (steps < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--steps must be at least 1, got " + steps);
        if (evalScenes < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--eval-scenes must be at least 1, got " + evalScenes);
        Path checkpoint = TrainFolder.checkpoint(out);
        PrintWriter log = spec.commandLine().getOut();
        try (Backbone b = Backbones.open(backbone)) {
            UpliftConfig cfg = configFor(b);
            UpsamplerTrainingRecipe recipe = recipeFor(cfg, b);
            UpliftTrainer.Options options = UpliftTrainer.Options.from(recipe, checkpointEvery, checkpoint,
                    config == null ? 0 : cfg.train().latAug());
            try (NDManager manager = NDManager.newBaseManager()) {
                Uplift model = new Uplift(manager, cfg);
                log.printf(Locale.ROOT, "UPLiFT (%s) for %s: %d parameters; %d steps of %d scenes at %d px, %d depths%n",
                        cfg.description(), b.name(), model.parameterCount(), steps, recipe.batchSize(), recipe.imageSize(), recipe.depths());
                log.flush();
                double earlier = previousSeconds(checkpoint);
                long started = System.nanoTime();
                ProgressLine progress = new ProgressLine(System.err);
                UpliftTrainer.Result result = new UpliftTrainer(model, b::extract, recipe::images, options).train(p -> progress.update(
                        (double) p.step() / p.totalSteps(), String.format(Locale.ROOT, "step %d/%d  loss %.5f  %.1f images/s",
                                p.step(), p.totalSteps(), p.loss(), p.imagesPerSecond())), () -> false);
                double seconds = earlier + (System.nanoTime() - started) / 1e9;
                writeSeconds(checkpoint, seconds);
                progress.finish();

                Path weights = out.resolve("model.safetensors");
                model.save(weights);
                Map<String, UpsamplerEvaluation.Scores> scores;
                double upliftMs;
                try (UpliftUpsampler uplift = new UpliftUpsampler(model, "uplift")) {
                    Map<String, Upsampler> ups = new LinkedHashMap<>();
                    ups.put("uplift", uplift);
                    ups.put("bilinear", new BilinearUpsampler());
                    ups.put("nearest", new NearestUpsampler());
                    scores = UpsamplerEvaluation.evaluate(b, ups, recipe.imageSize(), evalScenes, recipe.firstSeed(), 64, progress);
                    upliftMs = timeOne(b, uplift, recipe.imageSize());
                }
                progress.finish();
                ModelCard.write(out, card(b, model, cfg, recipe, result, seconds, scores, upliftMs, weights));
                UpsamplerEvaluation.Scores u = scores.get("uplift");
                UpsamplerEvaluation.Scores bl = scores.get("bilinear");
                log.printf(Locale.ROOT, "wrote %s (%.1f min of training). Held out: 4x reconstruction MSE %.4f (bilinear %.4f), "
                                + "probe mIoU %.3f (bilinear %.3f)%n", out, seconds / 60, u.mse4x(), bl.mse4x(), u.probeMiou(), bl.probeMiou());
            }
        }
        return 0;
    }

    /** The shared recipe, or with {@code --config} its {@code train} section's, so that a configuration file trains as it says. */
    private UpsamplerTrainingRecipe recipeFor(UpliftConfig cfg, Backbone b) {
        UpsamplerTrainingRecipe recipe = (config == null ? UpsamplerTrainingRecipe.standard(b.patchSize(), steps)
                : UpliftTrainer.recipe(cfg, steps, "--config " + config)).withHeldOutScenes(evalScenes);
        return batch == null ? recipe : recipe.withBatchSize(batch);
    }

    /** The configuration to train: --config, or the sample one re-dimensioned for the backbone. */
    private UpliftConfig configFor(Backbone b) {
        if (config != null) {
            UpliftConfig c = UpliftConfig.load(config);
            if (c.backbone().channel() != b.channels() || c.backbone().patch() != b.patchSize()) {
                throw new LoupeException("--config " + config + " is for " + c.backbone().channel() + " channels at patch "
                        + c.backbone().patch() + ", but " + b.name() + " gives " + b.channels() + " channels at patch " + b.patchSize());
            }
            return c;
        }
        UpliftConfig base = UpliftConfig.named(SAMPLE_CONFIG);
        if (base.backbone().channel() == b.channels() && base.backbone().patch() == b.patchSize()) return base;
        return base.forBackbone(b.channels(), b.patchSize(), b.name(), "UPLiFT for " + b.name() + " (ShapesWorld recipe, " + SAMPLE_CONFIG + " architecture)");
    }

    private static double timeOne(Backbone b, Upsampler u, int size) {
        try (NDManager m = NDManager.newBaseManager()) {
            var image = dev.loupe.world.WorldBatch.render(m, 0, 1, size).images();
            var features = b.extract(image);
            return Timing.median(1, 3, () -> u.upsample(image, features, size, size).close()).medianMs();
        }
    }

    private static double previousSeconds(Path checkpoint) {
        Path f = checkpoint.resolve("training_time.json");
        if (!Files.isRegularFile(f)) return 0;
        try {
            return JsonParser.parseString(Files.readString(f)).getAsJsonObject().get("seconds").getAsDouble();
        } catch (IOException | RuntimeException e) {
            throw new LoupeException(f + " is not a training-time record ({\"seconds\": N})");
        }
    }

    private static void writeSeconds(Path checkpoint, double seconds) throws IOException {
        Files.createDirectories(checkpoint);
        AtomicFiles.writeString(checkpoint.resolve("training_time.json"), "{\"seconds\": " + seconds + "}\n");
    }

    private JsonObject card(Backbone b, Uplift model, UpliftConfig cfg, UpsamplerTrainingRecipe recipe, UpliftTrainer.Result result,
                            double seconds, Map<String, UpsamplerEvaluation.Scores> scores, double upliftMs, Path weights) {
        JsonObject card = new JsonObject();
        boolean sample = backbone.equals(Backbones.SAMPLE);
        card.addProperty("name", sample ? "sample-uplift" : out.getFileName().toString());
        card.addProperty("kind", "upsampler");
        card.addProperty("description", "UPLiFT (iterative 2x upsampler with a Local Attender) for " + b.name() + " features ("
                + b.channels() + " channels, patch " + b.patchSize() + "), trained with the UPLiFT multi-depth reconstruction recipe "
                + "on ShapesWorld. Use with the backbone it was trained for.");
        card.add("architecture", cfg.toJsonTree());
        card.addProperty("parameters", model.parameterCount());
        JsonObject bb = new JsonObject();
        bb.addProperty("name", b.name());
        bb.addProperty("spec", backbone);
        bb.addProperty("channels", b.channels());
        bb.addProperty("patch", b.patchSize());
        if (sample) bb.addProperty("weights_sha256", Backbones.sampleWeightsSha256());
        card.add("backbone", bb);
        StringBuilder command = new StringBuilder("./loupe train uplift --backbone " + backbone + " --steps " + steps + " --out " + out);
        if (config != null) command.append(" --config ").append(config);
        if (checkpointEvery != 200) command.append(" --checkpoint-every ").append(checkpointEvery);
        if (evalScenes != 100) command.append(" --eval-scenes ").append(evalScenes);
        if (batch != null) command.append(" --batch ").append(batch);
        card.addProperty("command", command.toString());
        card.add("data", recipe.toJson());
        JsonObject time = new JsonObject();
        time.addProperty("seconds", Math.round(seconds));
        time.addProperty("steps", result.step());
        time.addProperty("hardware", Runtime.getRuntime().availableProcessors() + " CPU cores (shared), PyTorch engine");
        card.add("training_time", time);
        JsonObject metrics = new JsonObject();
        metrics.addProperty("held_out_scenes", evalScenes);
        metrics.addProperty("image_size", recipe.imageSize());
        metrics.addProperty("protocol", "reconstruction: features of the image at S/2 (S/4) upsampled 2x (4x) against the backbone's "
                + "features at S; probe: one linear probe fitted on low-resolution tokens of 64 training scenes reads the "
                + "pixel-dense features (mIoU over the 9 ShapesWorld classes)");
        scores.forEach((name, s) -> metrics.add(name, s.toJson()));
        var losses = result.losses();
        metrics.addProperty("final_training_loss_mean_of_last_100_steps", Math.round(1e6 * losses.subList(Math.max(0, losses.size() - 100),
                losses.size()).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)) / 1e6);
        metrics.addProperty("uplift_ms_per_image_at_" + recipe.imageSize() + "px", Math.round(upliftMs * 10) / 10.0);
        card.add("metrics", metrics);
        JsonObject files = new JsonObject();
        JsonObject w = new JsonObject();
        w.addProperty("sha256", ModelCard.sha256(weights));
        files.add(weights.getFileName().toString(), w);
        card.add("files", files);
        return card;
    }
}
