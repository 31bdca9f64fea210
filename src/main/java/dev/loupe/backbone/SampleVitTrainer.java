package dev.loupe.backbone;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.Progress;
import dev.loupe.tensor.train.Adam;
import dev.loupe.tensor.train.Checkpoint;
import dev.loupe.tensor.train.WarmupCosine;
import dev.loupe.world.WorldBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Trains the {@link SampleVit} on ShapesWorld with a supervised per-patch objective: the head's softmax over the
 * classes is fitted (cross-entropy with soft targets) to each patch's class shares ({@link PatchTargets}). Every
 * step renders fresh scenes at one size drawn from {@link Options#sizes()}, with as many scenes as fit the token
 * budget, so the features learn to mean the same thing at every scale. A patch's loss weighs 1 plus
 * {@code objectWeight - 1} times its object share. The learning rate warms up linearly, then follows a cosine to 5%
 * of its peak.
 *
 * <p>Everything a step does is a function of the step number, so a run resumed from its checkpoint (weights, Adam
 * state, step, loss history; written atomically every {@code checkpointEvery} steps, on cancellation and at the end)
 * continues exactly as an uninterrupted one.
 */
public final class SampleVitTrainer {
    /** Where the cosine decay of the learning rate ends, as a share of its peak. */
    static final double FINAL_LEARNING_RATE_SHARE = 0.05;

    /**
     * Run settings. Scenes of step {@code s} are the seeds {@code firstSeed + s * MAX_BATCH ...}; held-out scenes for
     * metrics come from below {@code firstSeed}.
     */
    public record Options(long steps, float learningRate, long warmupSteps, int[] sizes, int tokensPerBatch,
            long firstSeed, int checkpointEvery, Path checkpointDir, float objectWeight) {
        /** Every patch weighs the same. */
        public Options(long steps, float learningRate, long warmupSteps, int[] sizes, int tokensPerBatch, long firstSeed,
                int checkpointEvery, Path checkpointDir) {
            this(steps, learningRate, warmupSteps, sizes, tokensPerBatch, firstSeed, checkpointEvery, checkpointDir, 1f);
        }

        public Options {
            if (!(objectWeight >= 1)) throw new LoupeException("the object weight must be at least 1, got " + objectWeight);
            if (steps < 1) throw new LoupeException("training needs at least one step, got " + steps);
            if (sizes.length == 0) throw new LoupeException("training needs at least one image size");
            if (tokensPerBatch < 1) throw new LoupeException("the token budget must be positive, got " + tokensPerBatch);
            sizes = sizes.clone();
        }

        /**
         * The recipe of the shipped model: 64-320 px, 1024 tokens a step, peak lr 1e-3, object patches weighing twice
         * the background, scenes from seed 1,000,000. Shape kinds come late: a few thousand steps separate objects from
         * background, and only then do the kinds part (object-patch kind accuracy 0.17 after 1000 steps, 0.55 after
         * 3000 in the shipped run).
         */
        public static Options recipe(long steps, Path checkpointDir) {
            return new Options(steps, 1e-3f, Math.min(150, Math.max(1, steps / 10)), new int[] {64, 96, 128, 160, 192, 224, 256, 320},
                    1024, 1_000_000L, 200, checkpointDir, RECIPE_OBJECT_WEIGHT);
        }

        @Override
        public int[] sizes() {
            return sizes.clone();
        }

        public JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("steps", steps);
            o.addProperty("learning_rate", learningRate);
            o.addProperty("warmup_steps", warmupSteps);
            JsonArray s = new JsonArray();
            for (int v : sizes) s.add(v);
            o.add("sizes", s);
            o.addProperty("tokens_per_batch", tokensPerBatch);
            o.addProperty("first_seed", firstSeed);
            o.addProperty("seeds_per_step", MAX_BATCH);
            o.addProperty("min_batch", MIN_BATCH);
            o.addProperty("object_weight", objectWeight);
            return o;
        }
    }

    /** How much more than a background patch an object patch weighs in the recipe's loss. */
    public static final float RECIPE_OBJECT_WEIGHT = 2f;

    /** Scenes per step are clamped to this range whatever the token budget says. */
    static final int MIN_BATCH = 2;
    static final int MAX_BATCH = 32;

    /**
     * How a run ended: the step reached, whether it was cancelled, the loss of every step so far and the training
     * time of all runs that led here (resumed runs add up).
     */
    public record Result(long step, boolean cancelled, List<Double> losses, double trainSeconds) {}

    private final SampleVit model;
    private final Options options;
    private final Adam adam;

    public SampleVitTrainer(SampleVit model, Options options) {
        this.model = model;
        this.options = options;
        for (int size : options.sizes) {
            if (size % model.config().patch() != 0) {
                throw new LoupeException("training size " + size + " is not a multiple of the patch " + model.config().patch());
            }
        }
        adam = new Adam(model.manager(), options.learningRate());
    }

    /** The image size and the number of scenes of a step. */
    public record StepData(int size, int scenes, long firstSeed) {}

    public StepData data(long step) {
        SplittableRandom random = new SplittableRandom(options.firstSeed ^ (step * 0x9E3779B97F4A7C15L));
        int size = options.sizes[random.nextInt(options.sizes.length)];
        int tokens = (size / model.config().patch()) * (size / model.config().patch());
        int scenes = Math.max(MIN_BATCH, Math.min(MAX_BATCH, options.tokensPerBatch / tokens));
        return new StepData(size, scenes, options.firstSeed + step * MAX_BATCH);
    }

    /** The learning rate of step {@code step} (0-based). */
    public float learningRate(long step) {
        return WarmupCosine.rate(options.learningRate, step, options.warmupSteps, options.steps, FINAL_LEARNING_RATE_SHARE);
    }

    /** Trains until {@code options.steps} or cancellation, resuming from the checkpoint folder if it holds one. */
    public Result train(Progress progress) {
        List<Double> losses = new ArrayList<>();
        long step = 0;
        double earlierSeconds = 0;
        Path dir = options.checkpointDir();
        if (dir != null && Checkpoint.exists(dir)) {
            Checkpoint.Info info = Checkpoint.resume(dir, model, adam, key -> false);
            step = info.step();
            losses.addAll(info.losses());
            earlierSeconds = info.number("train_seconds", 0);
            progress.update((double) step / options.steps, "resumed from " + dir + " at step " + step);
        }
        long started = System.nanoTime();
        long firstStep = step;
        model.train(true);
        try {
            while (step < options.steps) {
                if (progress.isCancelled()) {
                    double seconds = earlierSeconds + (System.nanoTime() - started) / 1e9;
                    save(step, losses, seconds);
                    return new Result(step, true, losses, seconds);
                }
                double loss = step(step);
                step++;
                losses.add(loss);
                double perStep = (System.nanoTime() - started) / 1e9 / (step - firstStep);
                progress.update((double) step / options.steps, String.format(Locale.ROOT,
                        "step %d/%d  loss %.4f (mean of last 50: %.4f)  %.2f s/step  ~%.0f min left", step, options.steps, loss,
                        recentMean(losses, 50), perStep, perStep * (options.steps - step) / 60));
                if (options.checkpointEvery > 0 && step % options.checkpointEvery == 0) {
                    save(step, losses, earlierSeconds + (System.nanoTime() - started) / 1e9);
                }
            }
            double seconds = earlierSeconds + (System.nanoTime() - started) / 1e9;
            save(step, losses, seconds);
            return new Result(step, false, losses, seconds);
        } finally {
            model.train(false);
        }
    }

    static double recentMean(List<Double> values, int n) {
        return values.subList(Math.max(0, values.size() - n), values.size()).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** One optimisation step on the scenes of {@code step}; returns the loss. */
    double step(long step) {
        StepData data = data(step);
        int patch = model.config().patch();
        int classes = model.config().classes();
        float lossValue;
        try (NDManager scope = model.manager().newSubManager();
             WorldBatch batch = WorldBatch.render(scope, data.firstSeed(), data.scenes(), data.size())) {
            long[] masks = batch.classMasks().toLongArray();
            int tokens = (data.size() / patch) * (data.size() / patch);
            NDArray targets = scope.create(PatchTargets.classShares(masks, data.scenes(), data.size(), patch, classes),
                    new Shape(data.scenes(), tokens, classes));
            NDArray loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.classify(model.tokens(SampleVit.NORMALISATION.apply(batch.images()))); // [B, N, K]
                NDArray perPatch = logits.logSoftmax(-1).mul(targets).sum(new int[] {-1}).neg(); // [B, N]
                // Background covers most patches; weighting object patches up keeps shape kinds from being a rounding error.
                NDArray weights = targets.get(":, :, 0").neg().add(1).mul(options.objectWeight - 1).add(1);
                loss = perPatch.mul(weights).sum().div(weights.sum());
                collector.backward(loss);
            }
            lossValue = loss.getFloat();
            adam.step(model.trainableParameters(), learningRate(step));
        }
        if (!Float.isFinite(lossValue)) throw new LoupeException("training diverged at step " + (step + 1) + " (loss " + lossValue + ")");
        return lossValue;
    }

    private void save(long step, List<Double> losses, double trainSeconds) {
        if (options.checkpointDir() == null) return;
        JsonObject meta = new JsonObject();
        meta.addProperty("train_seconds", trainSeconds);
        meta.addProperty("kind", "sample-vit");
        meta.add("architecture", model.config().toJson());
        meta.add("options", options.toJson());
        Checkpoint.save(options.checkpointDir(), model, adam, step, losses, meta);
    }
}
