package dev.loupe.upsample;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.Resize;
import dev.loupe.tensor.Tensors;
import dev.loupe.tensor.train.Adam;
import dev.loupe.tensor.train.Checkpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Trains any {@link TrainableUpsampler} with UPLiFT's recipe (multi-depth self-reconstruction through the
 * iterations), so that UPLiFT and its peers learn from the same objective, data and budget: an image at the training
 * size S is downscaled to S/2, S/4, ... S/2^D; the frozen backbone gives features at every scale; for depth d = 1..D,
 * the features of the image at S/2^d are upsampled 2x, 4x, ... 2^d x, guided by that image, and every output is
 * compared (MSE) with the backbone's features of the image at the matching scale. The loss is the sum over depths and
 * factors; Adam (lr 1e-3 in the reference).
 *
 * <p>Progress is reported after every step; a cancelled run stops between steps. Checkpoints (weights, Adam state,
 * step, architecture, loss history) are written atomically every {@code checkpointEvery} steps, on cancellation and
 * at the end; a trainer pointed at a folder that holds one resumes from it and continues exactly.
 */
public class UpsamplerTrainer {
    /** A frozen backbone: image batch {@code [B,3,H,W]} RGB in [0,1] to features {@code [B,C,H/patch,W/patch]}. */
    @FunctionalInterface
    public interface Backbone {
        NDArray features(NDArray images);
    }

    /**
     * Training images: the batch for a given step, {@code [B,3,S,S]} RGB in [0,1] in {@code manager}. Deterministic in
     * the step, so that a resumed run sees the same data as an uninterrupted one.
     */
    @FunctionalInterface
    public interface Images {
        NDArray batch(NDManager manager, long step, int batchSize, int size);

        /** The recipe's ShapesWorld scenes. */
        static Images of(UpsamplerTrainingRecipe recipe) {
            return recipe::images;
        }
    }

    /** One step done. */
    public record Progress(long step, long totalSteps, double loss, double imagesPerSecond) {}

    @FunctionalInterface
    public interface Listener {
        void onProgress(Progress progress);
    }

    /**
     * Run settings. {@code depths} is the reference's {@code train.down_steps}; {@code latentNoise} its {@code lat_aug}.
     * {@code checkpointDir} may be null (no checkpoints, no resume).
     */
    public record Options(int imageSize, int depths, int batchSize, float learningRate, long steps, int checkpointEvery,
            Path checkpointDir, double latentNoise) {
        /** The shared recipe's size, depths, batch, learning rate and steps; no latent noise. */
        public static Options from(UpsamplerTrainingRecipe recipe, int checkpointEvery, Path checkpointDir) {
            return from(recipe, checkpointEvery, checkpointDir, 0);
        }

        /** A recipe's size, depths, batch, learning rate and steps, with {@code latentNoise}. */
        public static Options from(UpsamplerTrainingRecipe recipe, int checkpointEvery, Path checkpointDir, double latentNoise) {
            return new Options(recipe.imageSize(), recipe.depths(), recipe.batchSize(), recipe.learningRate(), recipe.steps(),
                    checkpointEvery, checkpointDir, latentNoise);
        }
    }

    /** How a run ended. */
    public record Result(long step, boolean cancelled, List<Double> losses) {}

    private final TrainableUpsampler upsampler;
    private final Module model;
    private final Backbone backbone;
    private final Images images;
    private final Options options;
    private final Adam adam;

    public UpsamplerTrainer(TrainableUpsampler upsampler, Backbone backbone, Images images, Options options) {
        this.upsampler = upsampler;
        this.model = upsampler.module();
        this.backbone = backbone;
        this.images = images;
        this.options = options;
        int patch = upsampler.patch();
        int smallest = options.imageSize() >> options.depths();
        if (options.depths() < 1) throw new LoupeException("training needs at least one depth, got " + options.depths());
        if (smallest << options.depths() != options.imageSize() || smallest % patch != 0) {
            throw new LoupeException("training size " + options.imageSize() + " must halve " + options.depths()
                    + " times to a multiple of the patch " + patch + " (it ends at " + (options.imageSize() / Math.pow(2, options.depths())) + ")");
        }
        adam = new Adam(model.manager(), options.learningRate());
    }

    public Adam optimizer() {
        return adam;
    }

    public Options options() {
        return options;
    }

    /** Trains until {@code options.steps} or cancellation, resuming from the checkpoint folder if it holds one. */
    public Result train(Listener listener, BooleanSupplier cancelled) {
        List<Double> losses = new ArrayList<>();
        long step = 0;
        Path dir = options.checkpointDir();
        if (dir != null && Checkpoint.exists(dir)) {
            Checkpoint.Info info = Checkpoint.resume(dir, model, adam, upsampler.ignoredOnLoad());
            step = info.step();
            losses.addAll(info.losses());
        }
        model.train(true);
        try {
            while (step < options.steps()) {
                if (cancelled.getAsBoolean()) {
                    save(step, losses);
                    return new Result(step, true, losses);
                }
                long t0 = System.nanoTime();
                double loss = step(step);
                step++;
                losses.add(loss);
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (listener != null) listener.onProgress(new Progress(step, options.steps(), loss, options.batchSize() / seconds));
                if (options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0) save(step, losses);
            }
            save(step, losses);
            return new Result(step, false, losses);
        } finally {
            model.train(false);
        }
    }

    /** One optimisation step on the batch of {@code step}; returns the loss. */
    protected double step(long step) {
        float lossValue;
        try (NDManager scope = model.manager().newSubManager()) {
            int size = options.imageSize();
            int depths = options.depths();
            NDArray full = Tensors.owned(images.batch(scope, step, options.batchSize(), size));
            // the pyramid: image and backbone features at S, S/2, ..., S/2^D (torchvision's antialiased resize)
            NDArray[] pyramid = new NDArray[depths + 1];
            NDArray[] targets = new NDArray[depths + 1];
            for (int level = 0; level <= depths; level++) {
                int s = size >> level;
                pyramid[level] = level == 0 ? full : Resize.antialiased(full, s, s, Resize.Filter.BILINEAR);
                targets[level] = backbone.features(pyramid[level]).stopGradient();
            }
            NDArray loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                loss = null;
                for (int depth = 1; depth <= depths; depth++) {
                    NDArray input = targets[depth];
                    if (options.latentNoise() > 0) input = input.add(scope.randomNormal(0, (float) options.latentNoise(), input.getShape(), input.getDataType()));
                    List<NDArray> outputs = upsampler.forwardSteps(pyramid[depth], input, depth);
                    for (int k = 0; k < outputs.size(); k++) {
                        NDArray target = targets[depth - 1 - k]; // output k+1 has the tokens of level depth-(k+1)
                        NDArray term = outputs.get(k).sub(target).square().mean();
                        loss = loss == null ? term : loss.add(term);
                    }
                }
                collector.backward(loss);
            }
            lossValue = loss.getFloat();
            adam.step(model.trainableParameters());
        }
        if (!Float.isFinite(lossValue)) throw new LoupeException("training diverged at step " + (step + 1) + " (loss " + lossValue + ")");
        return lossValue;
    }

    private void save(long step, List<Double> losses) {
        if (options.checkpointDir() == null) return;
        JsonObject meta = upsampler.describe().deepCopy();
        JsonObject opts = new JsonObject();
        opts.addProperty("image_size", options.imageSize());
        opts.addProperty("depths", options.depths());
        opts.addProperty("batch_size", options.batchSize());
        opts.addProperty("lr", options.learningRate());
        opts.addProperty("steps", options.steps());
        meta.add("options", opts);
        Checkpoint.save(options.checkpointDir(), model, adam, step, losses, meta);
    }
}
