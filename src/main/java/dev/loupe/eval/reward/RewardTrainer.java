package dev.loupe.eval.reward;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.Progress;
import dev.loupe.tensor.Scalars;
import dev.loupe.tensor.train.Adam;
import dev.loupe.tensor.train.Checkpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Trains the reward network on fresh ShapesWorld scenes (never the same scene twice), degraded as
 * {@link Degrade#TRAINING} says. The loss is the sum of binary cross-entropy over the 64 pair-presence outputs
 * (summed over pairs), the cross-entropies of the count, background kind and background colour heads, and
 * {@link #MAP_WEIGHT} times the per-cell cross-entropies of the shape and colour maps, averaged over the batch.
 * Adam with a linear warm-up and a cosine decay to 5% of the learning rate.
 *
 * <p>Checkpoints (weights, Adam state, step, losses, seconds spent) are written atomically every
 * {@code checkpointEvery} steps, on cancellation and at the end; a trainer pointed at a folder that holds one
 * resumes from it and continues exactly.
 */
public final class RewardTrainer {
    /**
     * Run settings; {@code checkpointDir} may be null (no checkpoints, no resume). The share of degraded images
     * grows linearly to {@code degrade}'s over the first {@code rampSteps} steps.
     */
    public record Options(int batchSize, long steps, float learningRate, int warmupSteps, int checkpointEvery,
                          Path checkpointDir, Degrade degrade, long rampSteps) {
        public Options {
            if (batchSize < 2) throw new LoupeException("batch size must be at least 2, got " + batchSize);
            if (steps < 1) throw new LoupeException("steps must be at least 1, got " + steps);
            if (steps * batchSize > RewardData.HELD_OUT_FIRST_SEED - RewardData.TRAIN_FIRST_SEED) {
                throw new LoupeException(steps + " steps of " + batchSize + " scenes would reach the held-out seeds ("
                        + RewardData.HELD_OUT_FIRST_SEED + " on)");
            }
        }

        /** Batches of 64, Adam at 1e-2 with 100 warm-up steps, degradation ramped in over the first fifth. */
        public static Options defaults(long steps, Path checkpointDir) {
            return new Options(64, steps, 1e-2f, 100, 250, checkpointDir, Degrade.TRAINING, steps / 5);
        }

        public Options withBatchSize(int batchSize) {
            return new Options(batchSize, steps, learningRate, warmupSteps, checkpointEvery, checkpointDir, degrade, rampSteps);
        }
    }

    /** How a run ended: the step reached, whether it was cancelled, the loss of every step, the seconds spent (all runs). */
    public record Result(long step, boolean cancelled, List<Double> losses, double seconds) {}

    private static final float FINAL_LR_SHARE = 0.05f;
    /** Weight of the per-cell pair-map cross-entropy (mean over cells) against the per-image terms. */
    public static final float MAP_WEIGHT = 2f;

    private final RewardNet model;
    private final Options options;
    private final Adam adam;

    public RewardTrainer(RewardNet model, Options options) {
        this.model = model;
        this.options = options;
        this.adam = new Adam(model.manager(), options.learningRate());
    }

    /** Trains until {@code options.steps} or cancellation, resuming from the checkpoint folder if it holds one. */
    public Result train(Progress progress) {
        List<Double> losses = new ArrayList<>();
        long step = 0;
        double secondsBefore = 0;
        Path dir = options.checkpointDir();
        if (dir != null && Checkpoint.exists(dir)) {
            Checkpoint.Info info = Checkpoint.resume(dir, model, adam, key -> false);
            step = info.step();
            losses.addAll(info.losses());
            secondsBefore = info.number("seconds", 0);
            progress.update((double) step / options.steps(), "resuming from step " + step + " in " + dir);
        }
        long start = System.nanoTime();
        long firstStep = step;
        model.train(true);
        // The next batch is rendered and degraded on another thread while the network trains on this one.
        ExecutorService prefetch = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "reward-data");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<RewardData.Scenes> next = prefetch.submit(scenesTask(step));
            while (step < options.steps()) {
                if (progress.isCancelled()) {
                    double seconds = secondsBefore + (System.nanoTime() - start) / 1e9;
                    save(step, losses, seconds);
                    return new Result(step, true, losses, seconds);
                }
                RewardData.Scenes scenes = await(next);
                if (step + 1 < options.steps()) next = prefetch.submit(scenesTask(step + 1));
                losses.add(step(step, scenes));
                step++;
                long now = System.nanoTime();
                if (options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0) {
                    save(step, losses, secondsBefore + (now - start) / 1e9);
                }
                double rate = (step - firstStep) * options.batchSize() / Math.max(1e-9, (now - start) / 1e9);
                progress.update((double) step / options.steps(), String.format(Locale.ROOT,
                        "reward step %d/%d  loss %.4f (mean of last 50)  lr %.2e  %.0f images/s",
                        step, options.steps(), recentMean(losses, 50), learningRate(step - 1), rate));
            }
            double seconds = secondsBefore + (System.nanoTime() - start) / 1e9;
            save(step, losses, seconds);
            return new Result(step, false, losses, seconds);
        } finally {
            prefetch.shutdownNow();
            model.train(false);
        }
    }

    private Callable<RewardData.Scenes> scenesTask(long step) {
        Degrade degrade = options.degrade().ramped((double) step / Math.max(1, options.rampSteps()));
        return () -> RewardData.training(step, options.batchSize(), model.config(), degrade);
    }

    private static RewardData.Scenes await(Future<RewardData.Scenes> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoupeException("reward training was interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) throw re;
            throw new IllegalStateException("preparing a training batch failed", cause);
        }
    }

    /** The learning rate of step {@code step} (from 0): linear warm-up, then cosine decay to 5%. */
    float learningRate(long step) {
        double warm = Math.min(1.0, (step + 1.0) / Math.max(1, options.warmupSteps()));
        double progress = Math.min(1.0, (double) step / options.steps());
        double cosine = FINAL_LR_SHARE + (1 - FINAL_LR_SHARE) * 0.5 * (1 + Math.cos(Math.PI * progress));
        return (float) (options.learningRate() * warm * cosine);
    }

    /** One optimisation step on {@code scenes}, the batch of {@code step}; returns the loss. */
    double step(long step, RewardData.Scenes scenes) {
        float lossValue;
        try (NDManager scope = model.manager().newSubManager()) {
            RewardData.Batch batch = scenes.toBatch(scope);
            NDArray loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                loss = loss(model.forwardWithMap(batch.images()), batch);
                collector.backward(loss);
            }
            lossValue = loss.getFloat();
            adam.step(model.trainableParameters(), learningRate(step));
        }
        if (!Float.isFinite(lossValue)) throw new LoupeException("reward training diverged at step " + (step + 1) + " (loss " + lossValue + ")");
        return lossValue;
    }

    /** The training loss of the network's outputs against a batch's targets (a scalar). */
    public static NDArray loss(RewardNet.Outputs outputs, RewardData.Batch batch) {
        NDArray logits = outputs.logits();
        // logits: [B, OUTPUTS] -> pair logits [B, PAIRS] and three categorical heads
        NDArray pairs = logits.get(new NDIndex(":, {}:{}", SceneAttributes.PAIR_OFFSET, SceneAttributes.COUNT_OFFSET));
        // binary cross-entropy with logits: softplus(x) - x y, with softplus(x) = max(x, 0) + log(1 + exp(-|x|))
        NDArray softplus = Activation.relu(pairs).add(pairs.abs().neg().exp().add(1f).log());
        NDArray bce = softplus.sub(pairs.mul(batch.pairs())).sum(new int[] {1}).mean();
        NDArray count = crossEntropy(logits, SceneAttributes.COUNT_OFFSET, SceneAttributes.KIND_OFFSET, batch.count());
        NDArray kind = crossEntropy(logits, SceneAttributes.KIND_OFFSET, SceneAttributes.BACKGROUND_COLOUR_OFFSET, batch.kind());
        NDArray colour = crossEntropy(logits, SceneAttributes.BACKGROUND_COLOUR_OFFSET, SceneAttributes.OUTPUTS,
                batch.backgroundColour());
        // map: [B, 18, m, m] -> per cell [B*m*m, 9] shape and colour logits
        NDArray map = outputs.map();
        int classes = RewardData.BACKGROUND_CELL + 1;
        NDArray cells = map.reshape(map.getShape().get(0), RewardNet.MAP_CHANNELS, -1).transpose(0, 2, 1)
                .reshape(-1, RewardNet.MAP_CHANNELS);
        NDArray mapLoss = cellCrossEntropy(cells.get(new NDIndex(":, 0:{}", classes)), batch.shapeMap())
                .add(cellCrossEntropy(cells.get(new NDIndex(":, {}:", classes)), batch.colourMap()));
        return bce.add(count).add(kind).add(colour).add(mapLoss.mul(Scalars.of(logits.getManager(), MAP_WEIGHT)));
    }

    private static NDArray crossEntropy(NDArray logits, int from, int to, NDArray target) {
        NDArray logp = logits.get(new NDIndex(":, {}:{}", from, to)).logSoftmax(1);
        return logp.mul(target.oneHot(to - from)).sum(new int[] {1}).neg().mean();
    }

    private static NDArray cellCrossEntropy(NDArray logits, NDArray target) {
        int classes = (int) logits.getShape().get(1);
        return logits.logSoftmax(1).mul(target.reshape(-1).oneHot(classes)).sum(new int[] {1}).neg().mean();
    }

    private static double recentMean(List<Double> values, int n) {
        int from = Math.max(0, values.size() - n);
        double sum = 0;
        for (int i = from; i < values.size(); i++) sum += values.get(i);
        return values.size() == from ? Double.NaN : sum / (values.size() - from);
    }

    private void save(long step, List<Double> losses, double seconds) {
        if (options.checkpointDir() == null) return;
        JsonObject meta = new JsonObject();
        meta.addProperty("kind", "reward");
        meta.add("config", model.config().toJson());
        JsonObject opts = new JsonObject();
        opts.addProperty("batch_size", options.batchSize());
        opts.addProperty("steps", options.steps());
        opts.addProperty("lr", options.learningRate());
        opts.addProperty("warmup_steps", options.warmupSteps());
        meta.add("options", opts);
        meta.addProperty("seconds", seconds);
        Checkpoint.save(options.checkpointDir(), model, adam, step, losses, meta);
    }

    public Adam optimizer() {
        return adam;
    }
}
