package dev.loupe.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.backbone.SampleVit;
import dev.loupe.backbone.SampleVitBackbone;
import dev.loupe.backbone.SampleVitConfig;
import dev.loupe.backbone.SampleVitEvaluation;
import dev.loupe.backbone.SampleVitTrainer;
import dev.loupe.models.ModelCard;
import dev.loupe.world.ShapesWorld;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loupe train backbone}: the sample ViT on ShapesWorld (reproduces sample-models/sample-vit). */
@Command(name = "backbone", mixinStandardHelpOptions = true, description = {
    "Train the sample ViT backbone (patch 16) on ShapesWorld with a per-patch class objective.",
    "Writes DIR/model.safetensors and DIR/model.json (architecture, command, data, training time, held-out metrics,",
    "SHA-256); checkpoints go to DIR/checkpoint, and running the same command again resumes from there."})
public final class TrainBackboneCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--steps", defaultValue = "10000", paramLabel = "N", description = "Optimisation steps (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--out", defaultValue = "sample-vit", paramLabel = "DIR", description = "Output folder (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--checkpoint-every", defaultValue = "200", paramLabel = "N",
            description = "Write a checkpoint every N steps (default ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--eval-scenes", defaultValue = "200", paramLabel = "N",
            description = "Held-out scenes (seeds 0..N-1) for the card's metrics (default ${DEFAULT-VALUE}).")
    int evalScenes;

    @Option(names = "--width", defaultValue = "128", paramLabel = "D", hidden = true, description = "Token width (tests use tiny models).")
    int width;

    @Option(names = "--depth", defaultValue = "6", paramLabel = "L", hidden = true, description = "Number of blocks.")
    int depth;

    @Option(names = "--lr", hidden = true, paramLabel = "LR", description = "Peak learning rate (default: the recipe's).")
    Float learningRate;

    @Option(names = "--tokens", hidden = true, paramLabel = "N", description = "Tokens per step (default: the recipe's).")
    Integer tokens;

    @Option(names = "--sizes", hidden = true, split = ",", paramLabel = "S,...", description = "Training image sizes (default: the recipe's).")
    int[] sizes;

    @Option(names = "--token-convs", hidden = true, paramLabel = "N", description = "Residual 3x3 token convolutions before the blocks (default: the recipe's).")
    Integer tokenConvs;

    @Option(names = "--object-weight", hidden = true, paramLabel = "W", description = "Loss weight of object patches against background (default: the recipe's).")
    Float objectWeight;

    @Option(names = "--no-stem", hidden = true, description = "Plain patchify instead of the convolutional stem (for comparison).")
    boolean noStem;

    @Override
    public Integer call() throws IOException {
        if (steps < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--steps must be at least 1, got " + steps);
        if (evalScenes < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--eval-scenes must be at least 1, got " + evalScenes);
        Path checkpoint = TrainFolder.checkpoint(out);
        SampleVitConfig sample = SampleVitConfig.sample();
        SampleVitConfig config = new SampleVitConfig(sample.patch(), width, depth, sample.heads(), 4 * width, sample.classes(),
                sample.preferredSize(), noStem ? java.util.List.of() : sample.stem(), tokenConvs == null ? sample.tokenConvs() : tokenConvs);
        SampleVitTrainer.Options options = SampleVitTrainer.Options.recipe(steps, checkpoint);
        options = new SampleVitTrainer.Options(options.steps(), learningRate == null ? options.learningRate() : learningRate,
                options.warmupSteps(), sizes == null ? options.sizes() : sizes, tokens == null ? options.tokensPerBatch() : tokens, options.firstSeed(),
                checkpointEvery, checkpoint, objectWeight == null ? options.objectWeight() : objectWeight);
        if (evalScenes > options.firstSeed()) throw new LoupeException("--eval-scenes must stay below the training seeds (" + options.firstSeed() + ")");
        PrintWriter log = spec.commandLine().getOut();
        try (NDManager manager = NDManager.newBaseManager()) {
            SampleVit model = new SampleVit(manager, config);
            log.printf(Locale.ROOT, "sample ViT: %d parameters, patch %d, width %d, depth %d; %d steps%n",
                    model.parameterCount(), config.patch(), config.width(), config.depth(), steps);
            log.flush();
            ProgressLine progress = new ProgressLine(System.err);
            SampleVitTrainer.Result result = new SampleVitTrainer(model, options).train(progress);
            progress.finish();
            progress.update(-1, "measuring on " + evalScenes + " held-out scenes");
            SampleVitEvaluation.Metrics metrics = SampleVitEvaluation.evaluate(model, 0, evalScenes, config.preferredSize(), 8);
            SampleVitEvaluation.Metrics small = SampleVitEvaluation.evaluate(model, 0, evalScenes, config.preferredSize() / 2, 16);
            model.save(out.resolve(SampleVitBackbone.WEIGHTS));
            ModelCard.write(out, card(model, options, result, metrics, small));
            log.printf(Locale.ROOT, "wrote %s (%.1f min of training): patch accuracy %.3f (shape kind on object patches %.3f), "
                    + "low-res probe mIoU %.3f at %d px; %.3f at %d px%n", out, result.trainSeconds() / 60, metrics.patchAccuracy(),
                    metrics.objectPatchAccuracy(), metrics.lowResMiou(), metrics.size(), small.lowResMiou(), small.size());
        }
        return 0;
    }

    private JsonObject card(SampleVit model, SampleVitTrainer.Options options, SampleVitTrainer.Result result,
                            SampleVitEvaluation.Metrics metrics, SampleVitEvaluation.Metrics small) {
        SampleVitConfig config = model.config();
        JsonObject card = new JsonObject();
        card.addProperty("name", "sample-vit");
        card.addProperty("kind", "backbone");
        card.addProperty("description", "A small ViT (patch " + config.patch() + ", width " + config.width() + ", depth " + config.depth()
                + ", " + config.heads() + " heads, 2-D sin-cos positions of normalised coordinates, no class token) trained on "
                + "ShapesWorld to predict each patch's class shares; its features are the final-norm patch tokens. 'head' is that "
                + "per-patch linear classifier, shipped for probes.");
        JsonObject arch = config.toJson();
        arch.addProperty("positions", "2-D sin-cos of patch centres in [0,1] image coordinates");
        arch.addProperty("stem_layers", config.stem().isEmpty() ? "none (patch x patch patchify)" : "stride-2 3x3 convolutions with GELU, channels "
                + config.stem() + ", then a stride-2 3x3 convolution to the width" + (config.tokenConvs() == 0 ? ""
                : ", then " + config.tokenConvs() + " residual 3x3 convolutions over the token grid"));
        card.add("architecture", arch);
        JsonObject input = new JsonObject();
        input.addProperty("patch", config.patch());
        input.addProperty("channels", config.width());
        input.add("mean", floats(SampleVit.NORMALISATION.mean()));
        input.add("std", floats(SampleVit.NORMALISATION.std()));
        input.addProperty("preferred_size", config.preferredSize());
        card.add("input", input);
        card.addProperty("parameters", model.parameterCount());
        StringBuilder command = new StringBuilder("./loupe train backbone --steps " + options.steps() + " --out " + out);
        if (options.checkpointEvery() != 200) command.append(" --checkpoint-every ").append(options.checkpointEvery());
        if (evalScenes != 200) command.append(" --eval-scenes ").append(evalScenes);
        if (config.width() != 128) command.append(" --width ").append(config.width());
        if (config.depth() != 6) command.append(" --depth ").append(config.depth());
        if (noStem) command.append(" --no-stem");
        if (config.tokenConvs() != SampleVitConfig.sample().tokenConvs()) command.append(" --token-convs ").append(config.tokenConvs());
        if (options.objectWeight() != SampleVitTrainer.RECIPE_OBJECT_WEIGHT) {
            command.append(" --object-weight ").append(options.objectWeight());
        }
        if (learningRate != null) command.append(" --lr ").append(learningRate);
        if (tokens != null) command.append(" --tokens ").append(tokens);
        if (sizes != null) command.append(" --sizes ").append(java.util.Arrays.stream(sizes).mapToObj(String::valueOf)
                .collect(java.util.stream.Collectors.joining(",")));
        card.addProperty("command", command.toString());
        JsonObject data = new JsonObject();
        data.addProperty("world", "ShapesWorld");
        data.addProperty("world_version", ShapesWorld.VERSION);
        data.add("recipe", options.toJson());
        long lastSeed = options.firstSeed() + options.steps() * 32 - 1;
        data.addProperty("training_seeds", "from " + options.firstSeed() + " to at most " + lastSeed
                + " (step s uses seeds first_seed + 32 s onwards, as many as the token budget allows at that step's size)");
        data.addProperty("held_out_seeds", "0.." + (evalScenes - 1));
        card.add("data", data);
        JsonObject time = new JsonObject();
        time.addProperty("seconds", Math.round(result.trainSeconds()));
        time.addProperty("steps", result.step());
        time.addProperty("hardware", Runtime.getRuntime().availableProcessors() + " CPU cores (shared), PyTorch engine");
        card.add("training_time", time);
        JsonObject m = new JsonObject();
        m.add("at_" + metrics.size() + "px", metrics.toJson());
        m.add("at_" + small.size() + "px", small.toJson());
        m.addProperty("final_training_loss_mean_of_last_100_steps", Math.round(1e4 * recentMean(result)) / 1e4);
        card.add("metrics", m);
        JsonObject files = new JsonObject();
        JsonObject weights = new JsonObject();
        weights.addProperty("sha256", ModelCard.sha256(out.resolve(SampleVitBackbone.WEIGHTS)));
        files.add(SampleVitBackbone.WEIGHTS, weights);
        card.add("files", files);
        return card;
    }

    private static double recentMean(SampleVitTrainer.Result result) {
        var l = result.losses();
        return l.subList(Math.max(0, l.size() - 100), l.size()).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static JsonArray floats(float[] values) {
        JsonArray a = new JsonArray();
        for (float v : values) a.add(v);
        return a;
    }
}
