package dev.loupe.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.backbone.Backbone;
import dev.loupe.backbone.Backbones;
import dev.loupe.eval.UpsamplerBench;
import dev.loupe.eval.UpsamplerEvaluation;
import dev.loupe.models.LoupeHome;
import dev.loupe.models.ModelCard;
import dev.loupe.upsample.BilinearUpsampler;
import dev.loupe.upsample.TrainableUpsampler;
import dev.loupe.upsample.Upsampler;
import dev.loupe.upsample.UpsamplerKind;
import dev.loupe.upsample.UpsamplerTrainer;
import dev.loupe.upsample.UpsamplerTrainingRecipe;
import dev.loupe.upsample.Upsamplers;
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

/** {@code loupe train upsampler}: UPLiFT's peers with the shared recipe (reproduces sample-models/sample-KIND). */
@Command(name = "upsampler", mixinStandardHelpOptions = true, description = {
    "Train a feature upsampler for a backbone with Loupe's shared recipe (multi-depth reconstruction on ShapesWorld, the",
    "data and budget of the sample UPLiFT): lift (UPLiFT's decoder with a 1x1 conv output), jbu (FeatUp-style joint",
    "bilateral stages) or xattn (JAFAR-style global cross-attention). UPLiFT itself: 'loupe train uplift'.",
    "Writes DIR/model.safetensors and DIR/model.json (architecture, command, data, training time, held-out metrics,",
    "SHA-256); checkpoints go to DIR/checkpoint, and running the same command again resumes from there."})
public final class TrainUpsamplerCommand implements Callable<Integer> {
    /** The weights file of a trained upsampler folder. */
    public static final String WEIGHTS = "model.safetensors";
    /** Steps when no sample UPLiFT card says otherwise. */
    public static final long DEFAULT_STEPS = 2000;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--kind", required = true, paramLabel = "lift|jbu|xattn", description = "Which peer.")
    String kind;

    @Option(names = "--backbone", defaultValue = Backbones.SAMPLE, paramLabel = "sample|FILE|DIR",
            description = "The frozen backbone whose features it learns to upsample (default ${DEFAULT-VALUE}).")
    String backbone;

    @Option(names = "--steps", paramLabel = "N", description = "Optimisation steps (default: the sample UPLiFT's, from its model card; "
            + DEFAULT_STEPS + " without one).")
    Long steps;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default sample-KIND).")
    Path out;

    @Option(names = "--checkpoint-every", defaultValue = "200", paramLabel = "N", description = "Write a checkpoint every N steps (default ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--eval-scenes", defaultValue = "100", paramLabel = "N",
            description = "Held-out scenes (seeds 0..N-1) for the card's metrics (default ${DEFAULT-VALUE}).")
    int evalScenes;

    @Option(names = "--probe-scenes", defaultValue = "64", paramLabel = "N", description = "Scenes the metrics' probes are fitted on (default ${DEFAULT-VALUE}).")
    int probeScenes;

    @Option(names = "--batch", hidden = true, paramLabel = "B", description = "Scenes per step (default: the recipe's; tests use tiny runs).")
    Integer batch;

    @Override
    public Integer call() throws IOException {
        UpsamplerKind k = UpsamplerKind.of(kind);
        if (k == UpsamplerKind.UPLIFT) throw new LoupeException("train UPLiFT with 'loupe train uplift' (the same recipe, its own card)");
        long n = steps != null ? steps : sampleUpliftSteps();
        if (n < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--steps must be at least 1, got " + n);
        if (evalScenes < 1 || probeScenes < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--eval-scenes and --probe-scenes must be at least 1");
        Path dir = out != null ? out : Path.of(k.sampleFolder());
        Path checkpoint = TrainFolder.checkpoint(dir);
        PrintWriter log = spec.commandLine().getOut();
        try (Backbone b = Backbones.open(backbone); NDManager manager = NDManager.newBaseManager()) {
            UpsamplerTrainingRecipe standard = UpsamplerTrainingRecipe.standard(b.patchSize(), n);
            UpsamplerTrainingRecipe recipe = batch == null ? standard : standard.withBatchSize(batch);
            TrainableUpsampler model = k.create(manager, b.channels(), b.patchSize());
            log.printf(Locale.ROOT, "%s for %s (%d channels, patch %d): %,d parameters; %d steps of %d scenes at %d px%n", k.title(), b.name(),
                    b.channels(), b.patchSize(), model.module().parameterCount(), n, recipe.batchSize(), recipe.imageSize());
            log.flush();
            UpsamplerTrainer trainer = new UpsamplerTrainer(model, b::extract, UpsamplerTrainer.Images.of(recipe),
                    UpsamplerTrainer.Options.from(recipe, checkpointEvery, checkpoint));
            ProgressLine progress = new ProgressLine(System.err);
            long t0 = System.nanoTime();
            UpsamplerTrainer.Result result = trainer.train(p -> progress.update((double) p.step() / p.totalSteps(),
                    String.format(Locale.ROOT, "step %d/%d  loss %.4f  %.1f images/s", p.step(), p.totalSteps(), p.loss(), p.imagesPerSecond())),
                    progress::isCancelled);
            double seconds = (System.nanoTime() - t0) / 1e9;
            progress.finish();
            model.module().save(dir.resolve(WEIGHTS));
            progress.update(-1, "measuring on " + evalScenes + " held-out scenes");
            Map<String, UpsamplerEvaluation.Scores> scores;
            Map<String, Upsampler> compared = new LinkedHashMap<>();
            try (Upsampler trained = UpsamplerKind.wrap(model, k.id()); Upsampler bilinear = new BilinearUpsampler()) {
                compared.put(k.id(), trained);
                compared.put(Upsamplers.BILINEAR, bilinear);
                scores = UpsamplerEvaluation.evaluate(b, compared, UpsamplerBench.qualitySize(b), evalScenes, UpsamplerEvaluation.PROBE_SEED,
                        probeScenes, progress);
            }
            progress.finish();
            ModelCard.write(dir, card(dir, k, model, b, recipe, result, seconds, scores));
            UpsamplerEvaluation.Scores s = scores.get(k.id());
            UpsamplerEvaluation.Scores ref = scores.get(Upsamplers.BILINEAR);
            log.printf(Locale.ROOT, "wrote %s (%.1f min of training): dense probe mIoU %.3f (bilinear %.3f), boundary F %.3f (%.3f), "
                    + "reconstruction MSE 2x %.4f (%.4f), 4x %.4f (%.4f)%n", dir, seconds / 60, s.denseProbeMiou(), ref.denseProbeMiou(),
                    s.boundaryF(), ref.boundaryF(), s.mse2x(), ref.mse2x(), s.mse4x(), ref.mse4x());
        }
        return 0;
    }

    /** The sample UPLiFT's training steps, so that every peer gets its budget by default. */
    static long sampleUpliftSteps() {
        Path card = LoupeHome.sampleModels().resolve(Upsamplers.SAMPLE_UPLIFT).resolve("model.json");
        if (!Files.isRegularFile(card)) return DEFAULT_STEPS;
        JsonObject json = ModelCard.read(card.getParent()).json();
        for (String section : new String[] {"data", "training_time"}) {
            JsonElement e = json.get(section);
            if (e != null && e.isJsonObject()) {
                JsonObject o = e.getAsJsonObject();
                if (o.has("steps")) return o.get("steps").getAsLong();
                if (o.has("recipe") && o.getAsJsonObject("recipe").has("steps")) return o.getAsJsonObject("recipe").get("steps").getAsLong();
            }
        }
        return DEFAULT_STEPS;
    }

    private JsonObject card(Path dir, UpsamplerKind k, TrainableUpsampler model, Backbone b, UpsamplerTrainingRecipe recipe,
            UpsamplerTrainer.Result result, double seconds, Map<String, UpsamplerEvaluation.Scores> scores) {
        JsonObject card = new JsonObject();
        card.addProperty("name", dir.getFileName().toString());
        card.addProperty("kind", "upsampler");
        card.addProperty("upsampler", k.id());
        card.addProperty("description", k.title() + " for " + b.name() + " features (" + b.channels() + " channels, patch " + b.patchSize()
                + "), trained with Loupe's shared upsampler recipe (multi-depth reconstruction on ShapesWorld), the same data and "
                + "budget as the sample UPLiFT.");
        card.add("architecture", UpsamplerKind.architecture(model));
        card.addProperty("parameters", model.module().parameterCount());
        JsonObject bb = new JsonObject();
        bb.addProperty("name", b.name());
        bb.addProperty("channels", b.channels());
        bb.addProperty("patch", b.patchSize());
        card.add("backbone", bb);
        StringBuilder command = new StringBuilder("./loupe train upsampler --kind " + k.id());
        if (!backbone.equals(Backbones.SAMPLE)) command.append(" --backbone ").append(backbone);
        command.append(" --steps ").append(recipe.steps()).append(" --out ").append(dir);
        if (checkpointEvery != 200) command.append(" --checkpoint-every ").append(checkpointEvery);
        if (evalScenes != 100) command.append(" --eval-scenes ").append(evalScenes);
        if (probeScenes != 64) command.append(" --probe-scenes ").append(probeScenes);
        if (batch != null) command.append(" --batch ").append(batch);
        card.addProperty("command", command.toString());
        card.add("data", recipe.toJson());
        JsonObject time = new JsonObject();
        time.addProperty("seconds", Math.round(seconds));
        time.addProperty("steps", result.step());
        time.addProperty("hardware", Runtime.getRuntime().availableProcessors() + " CPU cores (shared), PyTorch engine, "
                + System.getProperty("ai.djl.pytorch.num_threads", "default") + " torch threads");
        card.add("training_time", time);
        JsonObject metrics = new JsonObject();
        JsonObject held = scores.get(k.id()).toJson();
        held.addProperty("held_out_scenes", evalScenes);
        held.addProperty("image_size", UpsamplerBench.qualitySize(b));
        metrics.add("held_out", held);
        metrics.add("bilinear_on_the_same_scenes", scores.get(Upsamplers.BILINEAR).toJson());
        var losses = result.losses();
        metrics.addProperty("final_training_loss_mean_of_last_100_steps", Math.round(1e5 * losses.subList(Math.max(0, losses.size() - 100),
                losses.size()).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)) / 1e5);
        card.add("metrics", metrics);
        JsonObject files = new JsonObject();
        JsonObject weights = new JsonObject();
        weights.addProperty("sha256", ModelCard.sha256(dir.resolve(WEIGHTS)));
        files.add(WEIGHTS, weights);
        card.add("files", files);
        return card;
    }
}
