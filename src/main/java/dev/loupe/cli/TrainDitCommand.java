package dev.loupe.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.Progress;
import dev.loupe.backbone.Backbone;
import dev.loupe.backbone.Backbones;
import dev.loupe.diffusion.DitTrainer;
import dev.loupe.diffusion.RepresentationAlignment;
import dev.loupe.diffusion.PixArtConfig;
import dev.loupe.diffusion.Prediction;
import dev.loupe.diffusion.PromptEncoderConfig;
import dev.loupe.diffusion.Sampler;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.ecad.Heuristics;
import dev.loupe.eval.DitEvaluation;
import dev.loupe.eval.RewardModel;
import dev.loupe.diffusion.TextToImageConfig;
import dev.loupe.diffusion.TextToImageModel;
import dev.loupe.models.LoupeHome;
import dev.loupe.models.ModelCard;
import dev.loupe.tensor.train.Checkpoint;
import dev.loupe.world.ShapesWorld;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loupe train dit}: trains the sample text-to-image model on ShapesWorld. */
@Command(name = "dit", mixinStandardHelpOptions = true, description = {
    "Train the sample text-to-image model (PixArt architecture in pixel space, 32x32 RGB, rectified flow) on",
    "ShapesWorld scenes and their captions, its early tokens aligned with the sample ViT's features (REPA; needs",
    "sample-models/sample-vit). Checkpoints and sample sheets go to OUT/training/; the finished model",
    "(EMA weights, model.json) to OUT. Ctrl-C saves a checkpoint; --resume continues it exactly."})
public final class TrainDitCommand implements Callable<Integer> {
    /** The shipped model's architecture: 8 blocks of width 128 on 8x8 patch tokens, captions of width 128. */
    static final int WIDTH = 128;
    static final int HEAD_DIM = 32;
    static final int BLOCKS = 8;
    static final int PATCH = 4;
    static final int IMAGE_SIZE = 32;
    static final long DEFAULT_STEPS = 9000;
    static final double DEFAULT_GUIDANCE = 4.0;
    /** The recipe's guidance stop: the sampler's last two steps (from t = 0.25 and 0.14) go unguided. */
    static final double DEFAULT_GUIDANCE_STOP = 0.3;
    /** What the recipe's transformer outputs ({@link Prediction#key()}). */
    static final String DEFAULT_PREDICTION_KEY = "velocity";
    static final Prediction DEFAULT_PREDICTION = Prediction.ofKey(DEFAULT_PREDICTION_KEY);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--steps", paramLabel = "N", description = "Optimisation steps (default " + DEFAULT_STEPS + ").")
    Long steps;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: sample-models/sample-dit).")
    Path out;

    @Option(names = "--resume", description = "Continue the checkpoint in OUT/training.")
    boolean resume;

    @Option(names = "--init-from", paramLabel = "DIR", description = "Start from the weights of the model in DIR (same "
            + "architecture) with a new optimiser and schedule: a fine-tuning run. The card records DIR's command before this one. "
            + "When DIR is OUT, the finished checkpoint of DIR's own run is kept as OUT/" + SOURCE_CHECKPOINT_DIR + "[-N].")
    Path initFrom;

    @Option(names = "--batch", defaultValue = "" + DitTrainer.Options.BATCH_SIZE, paramLabel = "B",
            description = "Images per step (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--guidance", paramLabel = "G", description = "Guidance scale recorded as the model's default (default "
            + DEFAULT_GUIDANCE + "; with --evaluate, the model is measured at G and G recorded).")
    Double guidance;

    @Option(names = "--guidance-stop", paramLabel = "T", description = "Sampler steps that start below this time (1 = noise, "
            + "0 = image) go unguided; recorded as the model's default (default " + DEFAULT_GUIDANCE_STOP + "; with --evaluate, "
            + "the model is measured with T and T recorded).")
    Double guidanceStop;

    @Option(names = "--evaluate", description = "Do not train: measure the model in OUT (render time uncached and with FORA "
            + "N=2/3; prompt adherence scored by sample-models/reward) and record the figures in its card.")
    boolean evaluateOnly;

    /** ShapesWorld seeds of the adherence captions: far above every training scene of the recipe. */
    static final long ADHERENCE_FIRST_SEED = 50_000_000L;

    /**
     * Held-out captions the card's prompt adherence is measured on. A share's standard error on 1,024 captions is about
     * 1.5 points (3 on 256, the number before preference tuning): the difference one fine-tuning makes.
     */
    static final int EVAL_CAPTIONS = 1024;

    @Option(names = "--eval-captions", defaultValue = "" + EVAL_CAPTIONS, paramLabel = "N", description = "Held-out captions "
            + "the prompt adherence is measured on (default ${DEFAULT-VALUE}, the first of them the same for every model).")
    int evalCaptions;

    @Option(names = "--scenes", defaultValue = "0", paramLabel = "N", description = "Train on the first N scenes only, over "
            + "and over, and measure the prompt adherence on their captions: a capacity check (a model that can draw the "
            + "shapes at all learns to copy a few scenes). Default 0: fresh scenes every step.")
    long scenePool;

    @Option(names = "--first-scene", defaultValue = "0", paramLabel = "N", description = "ShapesWorld seed of the first training "
            + "scene (default ${DEFAULT-VALUE}). Each step takes the next scenes in order, and a run from step 0 starts here again: "
            + "a fine-tuning run given a seed past its source's last scene learns from scenes the model has not seen.")
    long firstScene;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Seed of the initial weights and of each "
            + "step's noise levels, noise and caption dropout (default ${DEFAULT-VALUE}). A fine-tuning run with the seed of its "
            + "source replays the source's draws step for step.")
    long seed;

    @Option(names = "--sample-every", defaultValue = "1000", paramLabel = "N",
            description = "Steps between sample sheets in OUT/training/samples (0: none; default ${DEFAULT-VALUE}).")
    int sampleEvery;

    @Option(names = "--width", hidden = true, defaultValue = "" + WIDTH)
    int width;

    @Option(names = "--blocks", hidden = true, defaultValue = "" + BLOCKS)
    int blocks;

    @Option(names = "--patch", hidden = true, defaultValue = "" + PATCH)
    int patch;

    @Option(names = "--predict", paramLabel = "KIND", description = "What the transformer outputs: velocity (noise - image) "
            + "or image (the clean image, JiT's x-prediction; the loss is the velocity's either way). Default: ${DEFAULT-VALUE}.",
            defaultValue = DEFAULT_PREDICTION_KEY, converter = PredictionConverter.class)
    Prediction prediction;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "" + DitTrainer.Options.LEARNING_RATE, description = "Peak "
            + "learning rate, reached after " + DitTrainer.Options.WARMUP_STEPS + " warm-up steps and decayed along a cosine "
            + "to " + DitTrainer.Options.FINAL_LEARNING_RATE_SHARE + " of it (default ${DEFAULT-VALUE}; the sample model's fine-tuning "
            + "runs use 5e-4 to 2e-4).")
    float learningRate;

    @Option(names = "--time-shift", paramLabel = "S", description = "Shift of the training noise levels towards noise "
            + "(default " + DitTrainer.Options.TIME_SHIFT + "; 1 spends more steps on fine detail, for a last phase with --resume). "
            + "The model's sampler spaces its steps with the same shift.")
    Double timeShift;

    @Option(names = "--time-std", hidden = true, defaultValue = "" + DitTrainer.Options.TIME_STD)
    double timeStd;

    @Option(names = "--time-uniform", defaultValue = "" + DitTrainer.Options.TIME_UNIFORM, paramLabel = "P",
            description = "Share of the training noise levels drawn uniformly from (0, 1) instead of towards noise, so that "
                    + "the last sampler steps are trained more (default ${DEFAULT-VALUE}: none).")
    double timeUniform;

    /** The recipe's representation alignment: REPA's loss weight, on the tokens after the third of the 8 blocks. */
    static final double ALIGN_WEIGHT = 0.5;
    static final int ALIGN_BLOCK = 3;
    /** The recipe's alignment grid at most: the sample ViT sees scenes at 128 px, cheap beside the DiT. */
    static final int ALIGN_GRID = 8;

    @Option(names = "--align-weight", defaultValue = "" + ALIGN_WEIGHT, paramLabel = "W", description = "Weight of the "
            + "representation-alignment loss (REPA): the tokens after --align-block blocks are pulled towards the sample ViT's "
            + "patch features of the clean scene (default ${DEFAULT-VALUE}; 0: the pixel loss alone).")
    double alignWeight;

    @Option(names = "--align-block", defaultValue = "" + ALIGN_BLOCK, paramLabel = "K",
            description = "Blocks before the aligned tokens (default ${DEFAULT-VALUE}).")
    int alignBlock;

    /** The recipe's shape term: none. */
    static final double SHAPE_WEIGHT = 0;

    @Option(names = "--shape-weight", hidden = true, defaultValue = "" + SHAPE_WEIGHT, paramLabel = "W")
    double shapeWeight;

    /** The recipe's perceptual term: none. */
    static final double PERCEPTUAL_WEIGHT = 0;

    @Option(names = "--perceptual-weight", defaultValue = "" + PERCEPTUAL_WEIGHT, paramLabel = "W", description = "Weight of "
            + "a perceptual term: the sample ViT reads the model's estimate of the clean scene and the loss pulls its patch "
            + "features towards those of the scene, weighted by 1 - t (default ${DEFAULT-VALUE}: none; needs --align-weight above 0).")
    double perceptualWeight;

    @Option(names = "--align-grid", hidden = true, paramLabel = "G")
    Integer alignGrid;

    @Option(names = "--checkpoint-every", hidden = true, defaultValue = "250")
    int checkpointEvery;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        Path folder = folderOrSample(out);
        long total = steps == null ? DEFAULT_STEPS : steps;
        if (total < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--steps must be at least 1, got " + total);
        if (batch < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be at least 1, got " + batch);
        if (Files.exists(folder) && !Files.isDirectory(folder)) throw new LoupeException(folder + ": exists and is not a folder");
        if (evaluateOnly) {
            evaluate(folder, guidance, guidanceStop, evalCaptions, stdout);
            return 0;
        }
        double g = guidance == null ? DEFAULT_GUIDANCE : guidance;
        double stop = guidanceStop == null ? DEFAULT_GUIDANCE_STOP : guidanceStop;
        double shift = timeShift == null ? DitTrainer.Options.TIME_SHIFT : timeShift;
        TextToImageConfig config = architecture(width, blocks, patch, new TextToImageConfig.SamplerSettings(20, g, shift, stop))
                .withPrediction(prediction);
        DitTrainer.Options recipe = DitTrainer.Options.recipe(total, batch, learningRate, checkpointEvery, sampleEvery);
        if (scenePool < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--scenes must be 0 or more, got " + scenePool);
        if (firstScene < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--first-scene must be 0 or more, got " + firstScene);
        long sceneCount = scenePool > 0 ? scenePool : total > Long.MAX_VALUE / batch ? Long.MAX_VALUE : total * batch;
        if (sceneCount > ADHERENCE_FIRST_SEED - firstScene) { // written so that no sum can overflow
            throw new CommandLine.ParameterException(spec.commandLine(), String.format(Locale.ROOT, "%d training scenes from seed %d "
                    + "would reach the held-out captions that measure the model (seeds from %d): lower --first-scene", sceneCount,
                    firstScene, ADHERENCE_FIRST_SEED));
        }
        DitTrainer.Options options = recipe.withTimes(recipe.timeMean(), timeStd, shift, timeUniform).withScenePool(scenePool)
                .withDraws(seed, firstScene);

        Cancellation cancellation = new Cancellation();
        Thread hook = new Thread(cancellation::requestAndWait, "dit-cancel");
        Runtime.getRuntime().addShutdownHook(hook);
        if (alignWeight < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--align-weight cannot be negative");
        if (shapeWeight > 0 && alignWeight == 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--shape-weight reads the aligned tokens: it needs --align-weight above 0");
        }
        if (perceptualWeight < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--perceptual-weight cannot be negative");
        if (perceptualWeight > 0 && alignWeight == 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--perceptual-weight uses the alignment's teacher: it needs --align-weight above 0");
        }
        try (NDManager manager = NDManager.newBaseManager(); Backbone teacher = alignWeight > 0 ? Backbones.sample() : null) {
            TextToImageModel model = new TextToImageModel(manager, config);
            RepresentationAlignment alignment = teacher == null ? null
                    : new RepresentationAlignment(model, teacher, alignBlock, alignWeight,
                            alignGrid != null ? alignGrid : recipeAlignGrid(patch), shapeWeight, perceptualWeight, learningRate,
                            options.seed());
            DitTrainer trainer = new DitTrainer(model, options, folder, alignment);
            if (initFrom != null) {
                trainer.startFrom(TextToImageModel.load(manager, initFrom), startingPoint(initFrom));
                if (!resume) keepSourceCheckpoint(trainer.checkpointDir(), stdout);
            }
            ProgressLine line = new ProgressLine(System.err);
            stdout.printf(Locale.ROOT, "training %s: %,d parameters, %d steps of %d images -> %s%n",
                    folder.getFileName(), model.parameterCount(), total, batch, folder);
            stdout.flush();
            DitTrainer.Result result = trainer.train(resume, cancellation.wrap(line));
            line.finish();
            if (result.cancelled()) {
                stdout.printf(Locale.ROOT, "stopped at step %d; checkpoint in %s (continue with --resume)%n", result.step(),
                        trainer.checkpointDir());
                return 130;
            }
            trainer.ema().save(folder, card(options, trainer.phases(), result, folder, config.sampler()));
            stdout.printf(Locale.ROOT, "trained %d steps in %s wall, %s CPU; final loss %.4f; model in %s%n", result.step(),
                    duration(result.wallSeconds()), duration(result.cpuSeconds()), tailMean(result), folder);
            stdout.flush();
        } finally {
            cancellation.done();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for done() above
            }
        }
        evaluate(folder, guidance, guidanceStop, evalCaptions, stdout);
        return 0;
    }

    /**
     * Measures the model in {@code folder} and records the figures under the card's {@code metrics} (and, with
     * {@code --guidance} and {@code --guidance-stop}, the settings it was measured with as the model's defaults).
     */
    static void evaluate(Path folder, Double guidance, Double guidanceStop, int evalCaptions, PrintWriter stdout) throws IOException {
        ProgressLine line = new ProgressLine(System.err);
        JsonObject measured = new JsonObject();
        TextToImageConfig.SamplerSettings measuredWith;
        try (NDManager manager = NDManager.newBaseManager()) {
            TextToImageModel model = TextToImageModel.load(manager, folder);
            measuredWith = model.config().sampler().overriding(null, guidance, guidanceStop);
            Sampler sampler = new Sampler(model, measuredWith);
            List<CacheSchedule> fora = new ArrayList<>();
            for (int n : new int[] {2, 3}) {
                Heuristics.Heuristic h = Heuristics.fora(sampler.steps(), sampler.blocks(), n);
                fora.add(h.schedule().named(h.name()));
            }
            line.update(-1, "timing renders of " + DitTrainer.SAMPLE_PROMPTS.size() + " prompts x 2 seeds");
            JsonObject time = DitEvaluation.renderTime(sampler, DitTrainer.SAMPLE_PROMPTS, List.of(0L, 1L), fora, 1, 3);
            measured.add("render_time", time);
            stdout.printf(Locale.ROOT, "render of %s, %d steps: uncached %.0f ms", time.get("batch").getAsString(), sampler.steps(),
                    time.get("uncached_ms").getAsDouble());
            time.getAsJsonObject("cached").entrySet().forEach(e -> stdout.printf(Locale.ROOT, ", %s %.0f ms (%.2fx, PSNR %.1f dB)",
                    e.getKey(), e.getValue().getAsJsonObject().get("ms").getAsDouble(),
                    e.getValue().getAsJsonObject().get("speedup").getAsDouble(),
                    e.getValue().getAsJsonObject().get("psnr_db_vs_uncached").getAsDouble()));
            stdout.println();
            // a model trained on a pool of scenes is measured on what it was shown: can it copy them?
            JsonObject card = ModelCard.read(folder).json();
            JsonObject training = card.has("training") && card.get("training").isJsonObject() ? card.getAsJsonObject("training") : null;
            long pool = training != null && training.has("scene_pool") ? training.get("scene_pool").getAsLong() : 0;
            long firstSeed = pool > 0 ? training.get("first_scene").getAsLong() : ADHERENCE_FIRST_SEED;
            int captions = pool > 0 ? (int) Math.min(pool, evalCaptions) : evalCaptions;
            JsonObject adherence = DitEvaluation.promptAdherence(sampler, RewardModel.shipped(manager), firstSeed, captions, pool == 0, 32, line);
            measured.add("prompt_adherence", adherence);
            JsonObject renders = adherence.getAsJsonObject("renders");
            JsonObject truth = adherence.getAsJsonObject("true_scenes_at_model_size");
            stdout.printf(Locale.ROOT, "prompt adherence on %d %s captions (reward model; true scenes in brackets): "
                    + "prompted objects shown %.1f%% (%.1f%%), their colours %.1f%% (%.1f%%), their shapes %.1f%% (%.1f%%), every prompted object %.1f%% (%.1f%%), exactly the prompted "
                    + "objects %.1f%% (%.1f%%), background %.1f%% (%.1f%%), mean reward %.3f (%.3f)%n",
                    adherence.get("captions").getAsInt(), pool > 0 ? "training" : "held-out",
                    100 * renders.get("prompted_objects_shown").getAsDouble(), 100 * truth.get("prompted_objects_shown").getAsDouble(),
                    100 * renders.get("prompted_colours_shown").getAsDouble(), 100 * truth.get("prompted_colours_shown").getAsDouble(),
                    100 * renders.get("prompted_shapes_shown").getAsDouble(), 100 * truth.get("prompted_shapes_shown").getAsDouble(),
                    100 * renders.get("images_with_every_prompted_object").getAsDouble(),
                    100 * truth.get("images_with_every_prompted_object").getAsDouble(),
                    100 * renders.get("images_with_exactly_the_prompted_objects").getAsDouble(),
                    100 * truth.get("images_with_exactly_the_prompted_objects").getAsDouble(),
                    100 * renders.get("background_kind_and_colour_right").getAsDouble(),
                    100 * truth.get("background_kind_and_colour_right").getAsDouble(),
                    renders.get("mean_reward").getAsDouble(), truth.get("mean_reward").getAsDouble());
            JsonObject byShape = renders.getAsJsonObject("shapes_seen_by_prompted_shape");
            stdout.print("shapes shown by prompted shape (renders):");
            byShape.entrySet().stream().filter(e -> e.getValue().getAsJsonObject().has(e.getKey())).forEach(e -> stdout.printf(Locale.ROOT,
                    " %s %.0f%%", e.getKey(), 100 * e.getValue().getAsJsonObject().get(e.getKey()).getAsDouble()));
            stdout.println();
            stdout.flush();
        }
        line.finish();
        TextToImageModel.updateCard(folder, card -> {
            JsonObject metrics = card.has("metrics") && card.get("metrics").isJsonObject() ? card.getAsJsonObject("metrics") : new JsonObject();
            measured.entrySet().forEach(e -> metrics.add(e.getKey(), e.getValue()));
            card.add("metrics", metrics);
            card.getAsJsonObject("sampler").addProperty("guidance", measuredWith.guidance());
            card.getAsJsonObject("sampler").addProperty("guidance_stop", measuredWith.guidanceStop());
            if (card.has("command")) {
                // the commands of the model a fine-tuning run started from keep that model's sampler
                String command = card.get("command").getAsString();
                int fineTuning = command.indexOf(" --init-from ");
                int own = fineTuning < 0 ? 0 : command.lastIndexOf("./loupe ", fineTuning);
                String tail = command.substring(own).replaceAll(" --guidance-stop \\S+", "")
                        .replaceAll("--guidance \\S+", Matcher.quoteReplacement(samplerFlags(measuredWith).strip()));
                card.addProperty("command", command.substring(0, own) + tail);
            }
        });
        stdout.printf(Locale.ROOT, "recorded the figures in %s%n", folder.resolve(TextToImageModel.CARD_FILE));
    }

    /** The output folder given, or the shipped sample model's. */
    static Path folderOrSample(Path out) {
        return out != null ? out : LoupeHome.sampleModels().resolve("sample-dit");
    }

    static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }


    /** The alignment grid when none is given: the DiT's token grid, pooled to at most {@link #ALIGN_GRID} per side. */
    static int recipeAlignGrid(int patch) {
        return Math.min(ALIGN_GRID, IMAGE_SIZE / patch);
    }

    /** The sample model's architecture (a different width, depth or patch only for experiments and tests). */
    static TextToImageConfig architecture(int width, int blocks, int patch, TextToImageConfig.SamplerSettings sampler) {
        if (patch < 1 || IMAGE_SIZE % patch != 0) {
            throw new IllegalArgumentException("--patch must divide the image size " + IMAGE_SIZE + ", got " + patch);
        }
        int headDim = Math.min(HEAD_DIM, width);
        PixArtConfig transformer = PixArtConfig.of(width / headDim, headDim, blocks, 3, 3, IMAGE_SIZE, patch, width);
        PromptEncoderConfig encoder = PromptEncoderConfig.of(width, 2, width / headDim, 24);
        return new TextToImageConfig(transformer, encoder, sampler);
    }

    private JsonObject card(DitTrainer.Options options, JsonArray phases, DitTrainer.Result result, Path folder,
            TextToImageConfig.SamplerSettings sampler) {
        JsonObject card = new JsonObject();
        card.addProperty("name", folder.getFileName().toString());
        card.addProperty("kind", "text-to-image-dit");
        card.addProperty("description", "Sample text-to-image diffusion transformer for ECAD caching: PixArt-α architecture in "
                + "pixel space (32x32 RGB, " + patch + "x" + patch + " patches, " + blocks + " blocks of width " + width + "), a 2-layer prompt encoder "
                + "over the ShapesWorld vocabulary, rectified flow, 20 Euler steps with classifier-free guidance.");
        card.addProperty("command", command(phases, folder, sampler, architectureFlags(), recipeAlignGrid(patch)));
        JsonObject data = new JsonObject();
        data.addProperty("world", "ShapesWorld v" + ShapesWorld.VERSION);
        boolean pooled = options.scenePool() > 0;
        long scenes = pooled ? options.scenePool() : options.steps() * options.batchSize();
        data.addProperty("scenes", String.format(Locale.ROOT, "seeds %d..%d %s, %d x %d px, with their captions", options.firstScene(),
                options.firstScene() + scenes - 1, pooled ? "over and over (a capacity check)" : "(one fresh batch per step)",
                IMAGE_SIZE, IMAGE_SIZE));
        card.add("data", data);
        JsonObject training = options.toJson();
        JsonObject lastPhase = phases.get(phases.size() - 1).getAsJsonObject();
        if (lastPhase.has("representation_alignment")) {
            JsonObject alignment = lastPhase.getAsJsonObject("representation_alignment").deepCopy();
            // retraining the sample ViT changes this recipe's targets: the card names the teacher's weights
            alignment.addProperty("teacher_weights_sha256", Backbones.sampleWeightsSha256());
            training.add("representation_alignment", alignment);
        }
        card.add("training", training);
        if (phases.size() > 1) card.add("training_phases", phases);
        JsonObject firstPhase = phases.get(0).getAsJsonObject();
        if (firstPhase.has("init_from")) card.add("init_from", firstPhase.get("init_from"));
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

    /**
     * Where a fine-tuning run into its source's folder keeps the source run's checkpoint; a later fine-tuning of the
     * same folder adds "-2", "-3", ... to it.
     */
    static final String SOURCE_CHECKPOINT_DIR = "training-before-fine-tuning";

    /**
     * A fine-tuning run into its source's own folder finds the source run's checkpoint there. When that run finished,
     * its checkpoint is moved aside, not overwritten, so that the card's chained commands run as written, however many
     * fine-tuning phases they chain. An unfinished checkpoint (or one in any other folder) stays, and the trainer
     * refuses it without {@code --resume} as usual.
     */
    private void keepSourceCheckpoint(Path checkpoint, PrintWriter stdout) throws IOException {
        Path folder = checkpoint.getParent();
        // a checkpoint means the folder exists, and initFrom does since its model loaded: both can be compared
        if (!Checkpoint.exists(checkpoint) || !DitTrainer.finished(Checkpoint.info(checkpoint)) || !Files.isSameFile(initFrom, folder)) return;
        Path kept = folder.resolve(SOURCE_CHECKPOINT_DIR);
        for (int n = 2; Files.exists(kept); n++) kept = folder.resolve(SOURCE_CHECKPOINT_DIR + "-" + n);
        Files.move(checkpoint, kept);
        stdout.printf(Locale.ROOT, "fine-tuning the model in its own folder: its training checkpoint is now in %s%n", kept);
    }

    /** What the card's first phase says of the model a fine-tuning run started from. */
    static JsonObject startingPoint(Path source) {
        JsonObject card = ModelCard.read(source).json();
        JsonObject from = new JsonObject();
        from.addProperty("folder", source.getFileName().toString());
        if (card.has("command")) from.add("command", card.get("command"));
        from.addProperty("transformer_sha256", ModelCard.sha256(source.resolve(TextToImageModel.TRANSFORMER_FILE)));
        from.addProperty("prompt_encoder_sha256", ModelCard.sha256(source.resolve(TextToImageModel.PROMPT_ENCODER_FILE)));
        return from;
    }

    /** The experiment options that change the architecture, as the command line gives them (empty for the recipe's). */
    private String architectureFlags() {
        StringBuilder flags = new StringBuilder();
        if (width != WIDTH) flags.append(" --width ").append(width);
        if (blocks != BLOCKS) flags.append(" --blocks ").append(blocks);
        if (patch != PATCH) flags.append(" --patch ").append(patch);
        return flags.toString();
    }

    /**
     * The commands that reproduce the model: one per training phase, each later one resuming the last; the first
     * carries {@code architectureFlags}.
     */
    static String command(JsonArray phases, Path folder, TextToImageConfig.SamplerSettings sampler, String architectureFlags, int recipeGrid) {
        List<String> commands = new ArrayList<>();
        for (int i = 0; i < phases.size(); i++) {
            JsonObject phase = phases.get(i).getAsJsonObject();
            StringBuilder command = new StringBuilder("./loupe train dit --steps " + phase.get("steps").getAsLong());
            if (i == 0) command.append(architectureFlags);
            if (phase.has("init_from")) {
                JsonObject from = phase.getAsJsonObject("init_from");
                if (from.has("command")) commands.add(from.get("command").getAsString());
                command.append(" --init-from sample-models/").append(from.get("folder").getAsString());
            }
            if (phase.get("batch_size").getAsInt() != DitTrainer.Options.BATCH_SIZE) {
                command.append(" --batch ").append(phase.get("batch_size").getAsInt());
            }
            if (phase.has("learning_rate") && phase.get("learning_rate").getAsFloat() != DitTrainer.Options.LEARNING_RATE) {
                command.append(" --lr ").append(phase.get("learning_rate").getAsFloat());
            }
            if (phase.has("time_shift") && phase.get("time_shift").getAsDouble() != DitTrainer.Options.TIME_SHIFT) {
                command.append(" --time-shift ").append(trim(phase.get("time_shift").getAsDouble()));
            }
            if (phase.has("time_std") && phase.get("time_std").getAsDouble() != DitTrainer.Options.TIME_STD) {
                command.append(" --time-std ").append(trim(phase.get("time_std").getAsDouble()));
            }
            Prediction predicted = DitTrainer.prediction(phase);
            if (predicted != DEFAULT_PREDICTION) command.append(" --predict ").append(predicted.key());
            double uniform = phase.has("time_uniform") ? phase.get("time_uniform").getAsDouble() : 0;
            if (uniform != DitTrainer.Options.TIME_UNIFORM) command.append(" --time-uniform ").append(trim(uniform));
            if (phase.has("scene_pool")) command.append(" --scenes ").append(phase.get("scene_pool").getAsLong());
            long phaseFirstScene = phase.has("first_scene") ? phase.get("first_scene").getAsLong() : 0;
            if (phaseFirstScene != 0) command.append(" --first-scene ").append(phaseFirstScene);
            long phaseSeed = phase.has("seed") ? phase.get("seed").getAsLong() : 0;
            if (phaseSeed != 0) command.append(" --seed ").append(phaseSeed);
            if (!phase.has("representation_alignment")) {
                command.append(" --align-weight 0");
            } else {
                JsonObject a = phase.getAsJsonObject("representation_alignment");
                if (a.get("weight").getAsDouble() != ALIGN_WEIGHT) command.append(" --align-weight ").append(trim(a.get("weight").getAsDouble()));
                if (a.get("after_block").getAsInt() != ALIGN_BLOCK) command.append(" --align-block ").append(a.get("after_block").getAsInt());
                if (a.has("grid") && a.get("grid").getAsInt() != recipeGrid) command.append(" --align-grid ").append(a.get("grid").getAsInt());
                double shape = a.has("shape_weight") ? a.get("shape_weight").getAsDouble() : 0;
                if (shape != SHAPE_WEIGHT) command.append(" --shape-weight ").append(trim(shape));
                double perceptual = a.has("perceptual_weight") ? a.get("perceptual_weight").getAsDouble() : 0;
                if (perceptual != PERCEPTUAL_WEIGHT) command.append(" --perceptual-weight ").append(trim(perceptual));
            }
            command.append(samplerFlags(sampler));
            command.append(" --out sample-models/").append(folder.getFileName());
            if (i > 0) command.append(" --resume");
            commands.add(command.toString());
        }
        return String.join(" && ", commands);
    }

    /** {@code --guidance G}, and {@code --guidance-stop T} when T is not the recipe's, as the command line gives them. */
    static String samplerFlags(TextToImageConfig.SamplerSettings sampler) {
        String flags = " --guidance " + trim(sampler.guidance());
        return sampler.guidanceStop() == DEFAULT_GUIDANCE_STOP ? flags : flags + " --guidance-stop " + trim(sampler.guidanceStop());
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

    /** {@code --predict velocity|image}. */
    static final class PredictionConverter implements CommandLine.ITypeConverter<Prediction> {
        @Override
        public Prediction convert(String value) {
            Prediction p = Prediction.ofKey(value);
            if (p == null) throw new CommandLine.TypeConversionException("expected velocity or image, got '" + value + "'");
            return p;
        }
    }
}
