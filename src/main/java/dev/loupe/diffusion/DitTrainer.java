package dev.loupe.diffusion;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.Progress;
import dev.loupe.tensor.ImageGrid;
import dev.loupe.tensor.Images;
import dev.loupe.tensor.Parameter;
import dev.loupe.tensor.SafeTensors;
import dev.loupe.tensor.Tensors;
import dev.loupe.tensor.train.Adam;
import dev.loupe.tensor.train.Checkpoint;
import dev.loupe.tensor.train.WarmupCosine;
import dev.loupe.world.RenderedScene;
import dev.loupe.world.SceneSpec;
import dev.loupe.world.ShapesWorld;
import dev.loupe.world.WorldBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Trains a {@link TextToImageModel} on ShapesWorld: every step renders fresh scenes (seeds {@code firstScene +
 * step x batch ...}) at the model's size with their captions, and minimises the rectified-flow loss
 * {@code |v(x_t, t, caption) - (noise - x0)|^2} with t logit-normal; a share of the captions is replaced by the
 * empty prompt so that the same network also predicts unconditionally (classifier-free guidance). Adam with linear
 * warm-up and cosine decay to a tenth; an exponential moving average (EMA) of the weights is kept and is what the
 * finished model ships. With a {@link RepresentationAlignment}, REPA's loss on the tokens of an early block is added.
 *
 * <p>Everything random is drawn from Java generators seeded by the run seed and the step (initial weights, times,
 * noise, caption dropout), and the scenes depend on the step alone, so a run resumed from a checkpoint continues
 * exactly as an uninterrupted one. Checkpoints (weights, Adam state, EMA weights, losses, time spent) are written
 * atomically to {@code dir/training/} every {@code checkpointEvery} steps, on cancellation and at the end; sample
 * sheets of the EMA model to {@code dir/training/samples/}.
 */
public final class DitTrainer {
    /** Where a training run keeps its checkpoint and sample sheets, inside the output folder. */
    public static final String TRAINING_DIR = "training";
    static final String EMA_FILE = "ema.safetensors";
    private static final String EMA_STEP_KEY = "__step__";

    /** Prompts of the sample sheets (and the README's grid): the example first. */
    public static final List<String> SAMPLE_PROMPTS = List.of(
            "a red circle and a blue square on a striped gray background",
            "a yellow star on a plain blue background",
            "a green triangle and an orange ring on a gradient white background",
            "a purple hexagon on a plain white background",
            "a cyan cross, a pink diamond and a red square on a plain black background",
            "a blue circle on a gradient yellow background",
            "an orange square and a green circle on a striped purple background",
            "a pink star, a yellow circle, a blue triangle and a green square on a plain gray background");

    /**
     * Run settings.
     *
     * @param steps          optimisation steps in total
     * @param warmupSteps    linear learning-rate warm-up from 0
     * @param emaDecay       EMA decay (ramped up as min(decay, (1 + k) / (10 + k)) so early averages are not stale)
     * @param captionDropout share of captions replaced by the empty prompt
     * @param timeMean       shifted logit-normal times: t = shift(sigmoid(N(timeMean, timeStd)), timeShift)
     * @param timeUniform    share of the training times drawn uniformly from (0, 1) instead, so that the low-noise end,
     *                       which a shifted logit-normal hardly visits, is trained too (0: none)
     * @param seed           initial weights and every per-step draw
     * @param firstScene     ShapesWorld seed of the first training scene
     * @param scenePool      0: fresh scenes every step; N: only the N scenes from {@code firstScene}, over and over (a
     *                       capacity check: a model that can draw the shapes at all learns to copy a few scenes)
     * @param sampleEvery    steps between sample sheets (0: none)
     */
    public record Options(long steps, int batchSize, float learningRate, int warmupSteps, double emaDecay,
            double captionDropout, double timeMean, double timeStd, double timeShift, double timeUniform, long seed, long firstScene,
            long scenePool, int checkpointEvery, int sampleEvery) {
        public Options {
            if (scenePool < 0) throw new LoupeException("the scene pool must hold 0 (fresh scenes) or more scenes, not " + scenePool);
            if (firstScene < 0) throw new LoupeException("the first training scene must be a seed of 0 or more, not " + firstScene);
            if (steps < 1 || batchSize < 1) throw new LoupeException("training needs at least one step and one image per batch");
            if (!(learningRate > 0)) throw new LoupeException("the learning rate must be positive, not " + learningRate);
            if (!(emaDecay >= 0 && emaDecay < 1)) throw new LoupeException("the EMA decay must be in [0, 1), not " + emaDecay);
            if (!(timeShift > 0)) throw new LoupeException("the time shift must be positive, not " + timeShift);
            if (!(timeStd > 0)) throw new LoupeException("the spread of the training times must be positive, not " + timeStd);
            if (!(timeUniform >= 0 && timeUniform < 1)) {
                throw new LoupeException("the share of uniform training times must be in [0, 1), not " + timeUniform);
            }
            if (!(captionDropout >= 0 && captionDropout < 1)) {
                throw new LoupeException("caption dropout must be in [0, 1), not " + captionDropout);
            }
        }

        /** Shift of the recipe's training times (and of the sampler's steps). */
        public static final double TIME_SHIFT = 3.0;

        /**
         * Share of the recipe's training times drawn uniformly from (0, 1): none. The shifted logit-normal alone puts
         * 0.2% of them below the sampler's last step (t = 0.14); a fifth uniform removes the last noise better but, in a
         * 9000-step run, showed fewer of the prompted shapes (30.7% against 33.7%).
         */
        public static final double TIME_UNIFORM = 0;

        /** Spread of the recipe's logit-normal training times (their centre is 0). */
        public static final double TIME_STD = 1.0;

        /** The recipe's peak learning rate and images per step. */
        public static final float LEARNING_RATE = 1e-3f;
        public static final int BATCH_SIZE = 32;
        /** The recipe's linear warm-up to the peak learning rate. */
        public static final int WARMUP_STEPS = 200;
        /** Where the cosine decay ends, as a share of the peak learning rate. */
        public static final double FINAL_LEARNING_RATE_SHARE = 0.1;

        /**
         * The recipe of the shipped sample model (lr {@link #LEARNING_RATE} after {@link #WARMUP_STEPS} warm-up steps, EMA
         * 0.999, 10% caption dropout, logit-normal(0, 1) times shifted by {@link #TIME_SHIFT}, {@link #TIME_UNIFORM} of them
         * uniform instead, seed 0, scenes from seed 0) with the given length, batch, peak learning rate and intervals.
         */
        public static Options recipe(long steps, int batchSize, float learningRate, int checkpointEvery, int sampleEvery) {
            return new Options(steps, batchSize, learningRate, WARMUP_STEPS, 0.999, 0.1, 0.0, TIME_STD, TIME_SHIFT, TIME_UNIFORM, 0, 0, 0,
                    checkpointEvery, sampleEvery);
        }

        /**
         * The same run with training times {@code shift(sigmoid(N(mean, std)))}, a share {@code uniform} of them drawn
         * uniformly from (0, 1) instead.
         */
        public Options withTimes(double mean, double std, double shift, double uniform) {
            return new Options(steps, batchSize, learningRate, warmupSteps, emaDecay, captionDropout, mean, std, shift, uniform,
                    seed, firstScene, scenePool, checkpointEvery, sampleEvery);
        }

        /**
         * The same run with its own draws: {@code seed} for the initial weights and every step's times, noise and caption
         * dropout, and scenes from ShapesWorld seed {@code firstScene} on.
         */
        public Options withDraws(long seed, long firstScene) {
            return new Options(steps, batchSize, learningRate, warmupSteps, emaDecay, captionDropout, timeMean, timeStd, timeShift,
                    timeUniform, seed, firstScene, scenePool, checkpointEvery, sampleEvery);
        }

        /** The same run on only {@code scenes} scenes, repeated (0: fresh scenes every step). */
        public Options withScenePool(long scenes) {
            return new Options(steps, batchSize, learningRate, warmupSteps, emaDecay, captionDropout, timeMean, timeStd, timeShift,
                    timeUniform, seed, firstScene, scenes, checkpointEvery, sampleEvery);
        }

        public JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("steps", steps);
            o.addProperty("batch_size", batchSize);
            o.addProperty("optimizer", "adam (0.9, 0.999, eps 1e-8, no weight decay)");
            o.addProperty("learning_rate", learningRate);
            o.addProperty("schedule", "linear warm-up, then cosine decay to " + FINAL_LEARNING_RATE_SHARE + " x");
            o.addProperty("warmup_steps", warmupSteps);
            o.addProperty("ema_decay", emaDecay);
            o.addProperty("caption_dropout", captionDropout);
            o.addProperty("time_sampling", "shifted logit-normal: s u / (1 + (s - 1) u), u = sigmoid(N(mean, std))"
                    + (timeUniform > 0 ? "; a share time_uniform of the times uniform in (0, 1) instead" : ""));
            o.addProperty("time_mean", timeMean);
            o.addProperty("time_std", timeStd);
            o.addProperty("time_shift", timeShift);
            if (timeUniform > 0) o.addProperty("time_uniform", timeUniform);
            o.addProperty("seed", seed);
            o.addProperty("first_scene", firstScene);
            if (scenePool > 0) o.addProperty("scene_pool", scenePool);
            o.addProperty("checkpoint_every", checkpointEvery);
            o.addProperty("sample_every", sampleEvery);
            return o;
        }
    }

    /** How a run ended: the step reached, whether it was cancelled, loss history and time spent in total. */
    public record Result(long step, boolean cancelled, List<Double> losses, double wallSeconds, double cpuSeconds) {}

    private final TextToImageModel model;
    private final TextToImageModel ema;
    /** The runs that led to this model, oldest first: each one's options and the step it started from. */
    private final JsonArray phases = new JsonArray();
    private final Options options;
    private final Path dir;
    private final Adam adam;
    private final Map<String, Parameter> parameters;
    private final Map<String, Parameter> emaParameters;
    /** The extra representation-alignment loss, or null for the plain recipe. */
    private final RepresentationAlignment alignment;
    /** Weights a fresh run starts from instead of the recipe's initialisation (null: initialise), and the card's note. */
    private TextToImageModel startingWeights;
    private JsonObject startedFrom;
    /** The alignment terms' weighted loss at the last step (NaN without alignment), for the progress line. */
    private double extraLoss = Double.NaN;

    /**
     * @param model trained in place (its manager holds the optimiser state too)
     * @param dir   the output folder; the checkpoint lives in {@code dir/training}
     */
    public DitTrainer(TextToImageModel model, Options options, Path dir) {
        this(model, options, dir, null);
    }

    /** A run with an extra representation-alignment loss (null: none). */
    public DitTrainer(TextToImageModel model, Options options, Path dir, RepresentationAlignment alignment) {
        this.alignment = alignment;
        this.model = model;
        this.options = options;
        this.dir = dir;
        this.adam = new Adam(model.manager(), options.learningRate());
        this.ema = new TextToImageModel(model.manager(), model.config());
        this.parameters = model.trainableParameters();
        this.emaParameters = ema.trainableParameters();
    }

    /**
     * Starts a fresh run (one without a checkpoint to resume) from {@code weights}, with a new optimiser and schedule:
     * a fine-tuning phase. {@code description} goes into the first phase as {@code init_from}.
     */
    public void startFrom(TextToImageModel weights, JsonObject description) {
        if (!weights.config().transformer().equals(model.config().transformer())
                || !weights.config().promptEncoder().equals(model.config().promptEncoder())
                || weights.config().prediction() != model.config().prediction()) {
            throw new LoupeException("the model to start from (" + description.get("folder").getAsString()
                    + ") has another architecture or prediction than this run's");
        }
        this.startingWeights = weights;
        this.startedFrom = description.deepCopy();
    }

    public Path checkpointDir() {
        return dir.resolve(TRAINING_DIR);
    }

    /** The averaged weights (the model to ship and sample from). */
    public TextToImageModel ema() {
        return ema;
    }

    /** The learning rate of step {@code step} (0-based). */
    public float learningRate(long step) {
        return WarmupCosine.rate(options.learningRate(), step, options.warmupSteps(), options.steps(),
                Options.FINAL_LEARNING_RATE_SHARE);
    }

    /**
     * Trains until {@code options.steps} or cancellation. With {@code resume}, continues from the checkpoint in
     * {@link #checkpointDir()}; without, a folder that already holds one is refused (so nothing is overwritten).
     */
    public Result train(boolean resume, Progress progress) {
        Path checkpoint = checkpointDir();
        List<Double> losses = new ArrayList<>();
        long step = 0;
        double wallBefore = 0;
        double cpuBefore = 0;
        if (Checkpoint.exists(checkpoint)) {
            if (!resume) {
                throw new LoupeException(checkpoint + " holds a checkpoint (step " + Checkpoint.info(checkpoint).step()
                        + "): pass --resume to continue it, or choose another output folder");
            }
            Checkpoint.Info info = Checkpoint.resume(checkpoint, model, adam, key -> false);
            Prediction saved = phasePrediction(info);
            if (saved != model.config().prediction()) {
                throw new LoupeException(checkpoint + " trains a model that predicts the " + saved.key() + ", not the "
                        + model.config().prediction().key() + ": resume it with --predict " + saved.key());
            }
            loadEma(checkpoint.resolve(EMA_FILE), info.step());
            // an aligned run continues its projector; a plain one continued with alignment starts one (a new phase)
            if (alignment != null && lastPhaseWasAligned(info)) alignment.load(checkpoint, info.step());
            step = info.step();
            losses.addAll(info.losses());
            wallBefore = info.number("wall_seconds", 0);
            cpuBefore = info.number("cpu_seconds", 0);
            continuePhases(info);
        } else {
            if (startingWeights != null) {
                copyWeights(startingWeights, model);
            } else {
                initialise(model, options.seed());
            }
            copyWeights(model, ema);
            JsonObject first = phase(0);
            if (startedFrom != null) first.add("init_from", startedFrom);
            phases.add(first);
        }
        long wallStart = System.nanoTime();
        double cpuStart = processCpuSeconds();
        Clock clock = new Clock(wallBefore, cpuBefore, wallStart, cpuStart);
        ExecutorService renderer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dit-scenes");
            t.setDaemon(true);
            return t;
        });
        model.train(true);
        try {
            long first = step;
            // the next step's scenes render on a second thread while this step computes
            Future<StepScenes> next = step < options.steps() ? renderer.submit(scenesTask(step)) : null;
            double recent = Double.NaN;
            while (step < options.steps()) {
                if (progress.isCancelled()) {
                    save(step, losses, clock);
                    return new Result(step, true, losses, clock.wall(), clock.cpu());
                }
                StepScenes scenes = await(next);
                if (step + 1 < options.steps()) next = renderer.submit(scenesTask(step + 1));
                double loss = step(step, scenes);
                step++;
                losses.add(loss);
                recent = Double.isNaN(recent) ? loss : 0.98 * recent + 0.02 * loss;
                double elapsed = (System.nanoTime() - wallStart) / 1e9;
                double rate = (step - first) * options.batchSize() / Math.max(elapsed, 1e-9);
                double eta = (options.steps() - step) * options.batchSize() / Math.max(rate, 1e-9);
                progress.update((double) step / options.steps(), String.format(Locale.ROOT,
                        "step %d/%d  loss %.4f%s  lr %.2e  %.1f img/s  ETA %s", step, options.steps(), recent,
                        Double.isNaN(extraLoss) ? "" : String.format(Locale.ROOT, " (+%.3f %s)", extraLoss, alignment.termNames()),
                        learningRate(step - 1), rate, duration(eta)));
                if (options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0) save(step, losses, clock);
                if (options.sampleEvery() > 0 && step % options.sampleEvery() == 0) writeSamples(step);
            }
            save(step, losses, clock);
            if (options.sampleEvery() > 0 && step % options.sampleEvery() != 0) writeSamples(step);
            return new Result(step, false, losses, clock.wall(), clock.cpu());
        } finally {
            renderer.shutdownNow();
            model.train(false);
        }
    }

    /**
     * The runs so far, read from the checkpoint (older checkpoints name only their own options), plus this one when
     * it was started with other options (a longer schedule, another time shift).
     */
    private void continuePhases(Checkpoint.Info info) {
        JsonObject meta = info.metadata();
        if (meta.has("phases")) {
            meta.getAsJsonArray("phases").forEach(phases::add);
        } else if (meta.has("options")) {
            JsonObject first = meta.getAsJsonObject("options").deepCopy();
            first.addProperty("from_step", 0);
            phases.add(first);
        }
        JsonObject current = phase(info.step());
        if (phases.isEmpty() || !sameOptions(phases.get(phases.size() - 1).getAsJsonObject(), current)) phases.add(current);
    }

    /**
     * Whether a checkpoint's run reached the steps it was started for, as its saved options record them (older
     * checkpoints without them: no).
     */
    public static boolean finished(Checkpoint.Info info) {
        JsonObject meta = info.metadata();
        JsonObject saved = meta.has("options") ? meta.getAsJsonObject("options") : null;
        return saved != null && saved.has("steps") && info.step() >= saved.get("steps").getAsLong();
    }

    /** What the checkpoint's last phase trained the model to predict (phases without the field: the velocity). */
    static Prediction phasePrediction(Checkpoint.Info info) {
        JsonObject last = lastPhase(info);
        return last == null ? Prediction.VELOCITY : prediction(last);
    }

    /** What a phase of the card's {@code training_phases} trained the model to predict. */
    public static Prediction prediction(JsonObject phase) {
        if (!phase.has("prediction")) return Prediction.VELOCITY;
        Prediction p = Prediction.ofKey(phase.get("prediction").getAsString());
        if (p == null) throw new LoupeException("unknown prediction \"" + phase.get("prediction").getAsString() + "\" in a training phase");
        return p;
    }

    private static boolean lastPhaseWasAligned(Checkpoint.Info info) {
        JsonObject last = lastPhase(info);
        return last != null && last.has("representation_alignment");
    }

    /** The checkpoint's last training phase, or null when it records none. */
    private static JsonObject lastPhase(Checkpoint.Info info) {
        JsonObject meta = info.metadata();
        if (!meta.has("phases") || meta.getAsJsonArray("phases").isEmpty()) return null;
        JsonArray saved = meta.getAsJsonArray("phases");
        return saved.get(saved.size() - 1).getAsJsonObject();
    }

    private JsonObject phase(long fromStep) {
        JsonObject o = options.toJson();
        Prediction prediction = model.config().prediction();
        if (prediction != Prediction.VELOCITY) o.addProperty("prediction", prediction.key());
        if (alignment != null) o.add("representation_alignment", alignment.toJson());
        o.addProperty("from_step", fromStep);
        return o;
    }

    private static boolean sameOptions(JsonObject a, JsonObject b) {
        // as written to and read from checkpoint.json: a float learning rate must equal its decimal text
        JsonObject x = com.google.gson.JsonParser.parseString(a.toString()).getAsJsonObject();
        JsonObject y = com.google.gson.JsonParser.parseString(b.toString()).getAsJsonObject();
        // where a phase starts, and how often it writes samples and checkpoints, do not change the model
        // nor what a fine-tuning run started from (recorded once, in its first phase)
        for (String k : List.of("from_step", "checkpoint_every", "sample_every", "init_from")) {
            x.remove(k);
            y.remove(k);
        }
        return x.equals(y);
    }

    /** Each run that trained this model (options and first step), oldest first; read after {@link #train}. */
    public JsonArray phases() {
        return phases.deepCopy();
    }

    /** A step's scenes at the model's size and, with alignment, the same scenes at the teacher's (else null). */
    record StepScenes(List<RenderedScene> model, List<RenderedScene> teacher) {}

    private java.util.concurrent.Callable<StepScenes> scenesTask(long step) {
        return () -> {
            if (alignment == null) return new StepScenes(scenes(step), null);
            List<RenderedScene> small = new ArrayList<>(options.batchSize());
            List<RenderedScene> large = new ArrayList<>(options.batchSize());
            for (SceneSpec scene : sceneSpecs(step)) {
                List<RenderedScene> both = ShapesWorld.render(scene, model.config().imageSize(), alignment.teacherSize());
                small.add(both.get(0));
                large.add(both.get(1));
            }
            return new StepScenes(small, large);
        };
    }

    /** The training scenes of a step, at the model's size: a function of the step alone. */
    List<RenderedScene> scenes(long step) {
        List<RenderedScene> out = new ArrayList<>(options.batchSize());
        for (SceneSpec scene : sceneSpecs(step)) out.add(ShapesWorld.render(scene, model.config().imageSize()).get(0));
        return out;
    }

    private List<SceneSpec> sceneSpecs(long step) {
        List<SceneSpec> out = new ArrayList<>(options.batchSize());
        for (int i = 0; i < options.batchSize(); i++) {
            long index = step * options.batchSize() + i;
            out.add(ShapesWorld.scene(options.firstScene() + (options.scenePool() == 0 ? index : index % options.scenePool())));
        }
        return out;
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoupeException("training was interrupted");
        } catch (ExecutionException e) {
            throw new LoupeException("rendering training scenes failed: " + LoupeException.userMessage(e.getCause()), e.getCause());
        }
    }

    /** One optimisation step on the step's scenes; returns the loss. */
    double step(long step, List<RenderedScene> scenes) {
        return step(step, new StepScenes(scenes, null));
    }

    /** One optimisation step; returns the flow loss (without the alignment term). */
    private double step(long step, StepScenes stepScenes) {
        List<RenderedScene> scenes = stepScenes.model();
        int b = scenes.size();
        int size = model.config().imageSize();
        int pixels = 3 * size * size;
        SplittableRandom random = new SplittableRandom(options.seed() * 0x9E3779B97F4A7C15L + step);
        float[] times = new float[b];
        float[] noise = new float[b * pixels];
        List<String> captions = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            times[i] = RectifiedFlow.trainingTime(random, options.timeMean(), options.timeStd(), options.timeShift(),
                    options.timeUniform());
            captions.add(random.nextDouble() < options.captionDropout() ? PromptEncoder.EMPTY : scenes.get(i).caption());
        }
        for (int i = 0; i < noise.length; i++) noise[i] = (float) random.nextGaussian();
        float lossValue;
        try (NDManager scope = model.manager().newSubManager(); WorldBatch batch = WorldBatch.of(scope, scenes)) {
            NDArray x0 = batch.images().mul(2f).sub(1f); // [B, 3, S, S] in [-1, 1]
            NDArray e = Tensors.of(scope, noise, new Shape(b, 3, size, size));
            NDArray t = Tensors.of(scope, times, new Shape(b));
            NDArray tb = t.reshape(b, 1, 1, 1);
            NDArray xt = x0.mul(tb.neg().add(1f)).add(e.mul(tb)); // (1 - t) x0 + t e
            NDArray target = e.sub(x0);
            NDArray features = alignment == null ? null : alignment.targets(scope, stepScenes.teacher());
            boolean perceptual = alignment != null && alignment.hasPerceptualTerm();
            NDArray perceptualTargets = perceptual ? alignment.perceptualTokens(x0, false) : null;
            NDArray loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                PromptEncoder.Encoded caption = model.promptEncoder().encode(scope, captions);
                NDArray timesteps = t.mul(RectifiedFlow.TIMESTEP_SCALE);
                PixArtTransformer.Tapped out = alignment == null
                        ? new PixArtTransformer.Tapped(model.transformer().forward(xt, timesteps, caption.embeddings(), caption.mask()), null)
                        : model.transformer().forwardTapped(xt, timesteps, caption.embeddings(), caption.mask(), alignment.afterBlock());
                NDArray velocity = model.config().prediction().velocity(out.output(), xt, t);
                loss = velocity.sub(target).square().mean();
                NDArray extra = alignment == null ? null : alignment.weightedLoss(out.tokens(), features, batch.classMasks());
                if (perceptual) extra = extra.add(alignment.perceptualLoss(xt.sub(velocity.mul(tb)), perceptualTargets, t));
                collector.backward(extra == null ? loss : loss.add(extra));
                extraLoss = extra == null ? Double.NaN : extra.getFloat();
            }
            lossValue = loss.getFloat();
            adam.step(parameters, learningRate(step));
            if (alignment != null) alignment.step(learningRate(step));
            updateEma(emaDecay(step));
        }
        if (!Float.isFinite(lossValue)) throw new LoupeException("training diverged at step " + (step + 1) + " (loss " + lossValue + ")");
        return lossValue;
    }

    private double emaDecay(long step) {
        return Math.min(options.emaDecay(), (1.0 + step) / (10.0 + step));
    }

    private void updateEma(double decay) {
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            NDArray avg = emaParameters.get(e.getKey()).array();
            try (NDArray delta = e.getValue().array().sub(avg)) {
                avg.addi(delta.muli((float) (1 - decay))); // avg += (1 - decay) (p - avg)
            }
        }
    }

    /** Writes a sample sheet of the EMA model: {@link #SAMPLE_PROMPTS} x 2 seeds. */
    private void writeSamples(long step) {
        Sampler sampler = new Sampler(ema);
        try (NDManager scope = model.manager().newSubManager()) {
            Sampler.Result r = sampler.render(scope, Sampler.grid(SAMPLE_PROMPTS, List.of(0L, 1L)), null);
            Path file = checkpointDir().resolve("samples").resolve(String.format(Locale.ROOT, "step-%07d.png", step));
            Files.createDirectories(file.getParent());
            Images.writePng(file, ImageGrid.of(r.images(), SAMPLE_PROMPTS, 2, 4));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a sample sheet in " + checkpointDir(), e);
        }
    }

    private void save(long step, List<Double> losses, Clock clock) {
        Path checkpoint = checkpointDir();
        JsonObject meta = new JsonObject();
        meta.addProperty("kind", "text-to-image-dit");
        JsonObject config = new JsonObject();
        model.config().writeTo(config);
        meta.add("model", config);
        meta.add("options", options.toJson());
        meta.add("phases", phases.deepCopy());
        meta.addProperty("wall_seconds", clock.wall());
        meta.addProperty("cpu_seconds", clock.cpu());
        try {
            Files.createDirectories(checkpoint);
            if (alignment != null) alignment.save(checkpoint);
            Map<String, NDArray> averaged = new LinkedHashMap<>(ema.stateDict());
            try (NDManager scratch = model.manager().newSubManager()) {
                averaged.put(EMA_STEP_KEY, scratch.create(new long[] {step}, new Shape(1)));
                SafeTensors.write(checkpoint.resolve(EMA_FILE), averaged);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the checkpoint in " + checkpoint, e);
        }
        Checkpoint.save(checkpoint, model, adam, step, losses, meta); // its checkpoint.json is written last
    }

    private void loadEma(Path file, long step) {
        if (!Files.isRegularFile(file)) throw new LoupeException(file + " is missing: the checkpoint has no EMA weights");
        try (NDManager scratch = model.manager().newSubManager()) {
            Map<String, NDArray> state = new LinkedHashMap<>(SafeTensors.read(file, scratch));
            NDArray saved = state.remove(EMA_STEP_KEY);
            long savedStep = saved == null ? -1 : saved.toLongArray()[0];
            if (savedStep != step) {
                throw new LoupeException(file + " holds the EMA weights of step " + savedStep + " but the checkpoint is at step "
                        + step + " (a partly written checkpoint?)");
            }
            ema.load(state, file.toString());
        }
    }

    /**
     * PixArt's initialisation (its {@code initialize_weights}), drawn from a Java generator so that a run is
     * reproducible: Xavier-uniform linear and patch-embedding weights, zero biases, N(0, 0.02) for the timestep
     * MLP, adaLN-single and caption projection, zero for every cross-attention output and the final projection (so
     * the untrained model predicts zero and each block starts close to the identity); the prompt encoder's
     * embeddings N(0, 0.02); the modulation tables N(0, 1/D) as diffusers makes them; norms at 1 and 0.
     */
    public static void initialise(TextToImageModel model, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int dim = model.config().transformer().innerDim();
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            String key = e.getKey();
            Parameter p = e.getValue();
            Shape shape = p.array().getShape();
            int n = (int) shape.size();
            float[] values = new float[n];
            boolean isWeight = key.endsWith(".weight");
            if (key.endsWith("scale_shift_table")) {
                gaussian(random, values, 1 / Math.sqrt(dim));
            } else if (key.contains("norm")) {
                if (isWeight) java.util.Arrays.fill(values, 1f);
            } else if (key.endsWith("_embedding.weight")) {
                gaussian(random, values, 0.02);
            } else if (key.matches("transformer\\.transformer_blocks\\.\\d+\\.attn2\\.to_out\\.0\\..*")
                    || key.startsWith("transformer.proj_out.")) {
                // zero
            } else if (!isWeight) {
                // biases start at zero
            } else if (key.startsWith("transformer.adaln_single.") || key.startsWith("transformer.caption_projection.")) {
                gaussian(random, values, 0.02);
            } else {
                xavierUniform(random, values, shape);
            }
            NDArray fresh = Tensors.of(model.manager(), values, shape);
            fresh.setName(key);
            p.set(fresh);
        }
        model.train(model.isTraining()); // gradients on the new tensors as before
    }

    /** Xavier-uniform values for a weight of {@code shape}: a convolution [out, in, k, k] as the matrix [out, in k k]. */
    static void xavierUniform(SplittableRandom random, float[] values, Shape shape) {
        long fanOut = shape.get(0);
        long fanIn = shape.size() / fanOut;
        double bound = Math.sqrt(6.0 / (fanIn + fanOut));
        for (int i = 0; i < values.length; i++) values[i] = (float) ((2 * random.nextDouble() - 1) * bound);
    }

    private static void gaussian(SplittableRandom random, float[] values, double std) {
        for (int i = 0; i < values.length; i++) values[i] = (float) (std * random.nextGaussian());
    }

    private static void copyWeights(TextToImageModel from, TextToImageModel to) {
        Map<String, Parameter> source = from.namedParameters();
        to.namedParameters().forEach((k, p) -> {
            NDArray copy = source.get(k).array().duplicate();
            copy.attach(to.manager());
            p.set(copy);
        });
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        if (s >= 60) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return s + "s";
    }

    private static double processCpuSeconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }

    /** Wall and CPU time of the whole run, resumed parts included. */
    private record Clock(double wallBefore, double cpuBefore, long wallStart, double cpuStart) {
        double wall() {
            return wallBefore + (System.nanoTime() - wallStart) / 1e9;
        }

        double cpu() {
            return cpuBefore + processCpuSeconds() - cpuStart;
        }
    }
}
