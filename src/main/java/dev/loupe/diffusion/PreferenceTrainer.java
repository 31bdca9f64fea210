package dev.loupe.diffusion;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.loupe.LoupeException;
import dev.loupe.Progress;
import dev.loupe.tensor.Images;
import dev.loupe.tensor.Parameter;
import dev.loupe.tensor.Tensors;
import dev.loupe.tensor.train.Adam;
import dev.loupe.tensor.train.WarmupCosine;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Preference tuning of a {@link TextToImageModel} (Diffusion-DPO, Wallace et al. 2024, for the rectified flow): for
 * two renders of one caption, the preferred one (the winner) and the other (the loser), the model's flow error is
 * lowered on the winner and raised on the loser, each measured against a frozen reference (the starting model), so
 * that what both renders share is left alone:
 * <pre>
 *   loss = -log sigmoid(-beta / 2 [(|v_w - v(x_w)|^2 - |v_w - v_ref(x_w)|^2) - (|v_l - v(x_l)|^2 - |v_l - v_ref(x_l)|^2)])
 * </pre>
 * with each squared error a mean over the pixels, and the same noise and time for both renders of a pair. The pairs
 * are visited in an order shuffled by the seed, a step's pairs after the last step's, round and round.
 */
public final class PreferenceTrainer {
    /** One caption's two renders at the model's size, RGB bytes row by row; the winner is the one preferred. */
    public record Pair(String caption, byte[] winner, byte[] loser) {}

    /**
     * @param steps          optimisation steps
     * @param pairsPerStep   pairs in each step (twice as many images)
     * @param learningRate   Adam's peak rate, after a warm-up of a tenth of the steps (at most 100), then a cosine to
     *                       {@link DitTrainer.Options#FINAL_LEARNING_RATE_SHARE} of it
     * @param beta           how far the model may move from the reference for a given preference
     * @param seed           the order of the pairs, and every step's noise and times
     */
    public record Options(int steps, int pairsPerStep, float learningRate, double beta, long seed) {
        public Options {
            if (steps < 1 || pairsPerStep < 1) throw new LoupeException("preference tuning needs at least one step and one pair per step");
            if (!(learningRate > 0)) throw new LoupeException("the learning rate must be positive, not " + learningRate);
            if (!(beta > 0)) throw new LoupeException("beta must be positive, not " + beta);
        }

        int warmupSteps() {
            return Math.min(100, steps / 10);
        }
    }

    /** Per step: the loss, and the share of its pairs whose winner the model already prefers more than the reference does. */
    public record Result(List<Double> losses, List<Double> preferredShares) {}

    private final TextToImageModel model;
    private final TextToImageModel reference;
    private final Options options;

    /** {@code model} is trained in place; {@code reference} (the same weights at the start) is only read. */
    public PreferenceTrainer(TextToImageModel model, TextToImageModel reference, Options options) {
        if (!model.config().equals(reference.config())) throw new LoupeException("the reference model has another configuration than the one tuned");
        this.model = model;
        this.reference = reference;
        this.options = options;
    }

    public Result train(List<Pair> pairs, Progress progress) {
        if (pairs.isEmpty()) throw new LoupeException("preference tuning needs at least one pair");
        List<Pair> order = new ArrayList<>(pairs);
        Collections.shuffle(order, new Random(options.seed()));
        model.train(true);
        Map<String, Parameter> parameters = model.trainableParameters();
        Adam adam = new Adam(model.manager(), options.learningRate());
        List<Double> losses = new ArrayList<>();
        List<Double> shares = new ArrayList<>();
        for (int step = 0; step < options.steps() && !progress.isCancelled(); step++) {
            double[] measured = step(step, order, adam, parameters);
            losses.add(measured[0]);
            shares.add(measured[1]);
            progress.update((step + 1.0) / options.steps(), String.format(Locale.ROOT, "preference step %d/%d  loss %.4f",
                    step + 1, options.steps(), measured[0]));
        }
        model.train(false);
        return new Result(losses, shares);
    }

    private double[] step(int step, List<Pair> pairs, Adam adam, Map<String, Parameter> parameters) {
        int p = options.pairsPerStep();
        int size = model.config().imageSize();
        int plane = size * size;
        SplittableRandom random = new SplittableRandom(options.seed() * 0x9E3779B97F4A7C15L + step);
        float[] images = new float[2 * p * 3 * plane];
        float[] times = new float[p];
        float[] noise = new float[p * 3 * plane];
        List<String> captions = new ArrayList<>(2 * p);
        for (int i = 0; i < p; i++) {
            Pair pair = pairs.get((int) (((long) step * p + i) % pairs.size()));
            fill(images, i, pair.winner(), plane);
            fill(images, p + i, pair.loser(), plane);
            // the noise levels the model was trained on: its sampler spaces its steps with the same shift
            times[i] = RectifiedFlow.trainingTime(random, 0, DitTrainer.Options.TIME_STD, model.config().sampler().shift(), 0);
            captions.add(pair.caption());
        }
        for (int i = 0; i < noise.length; i++) noise[i] = (float) random.nextGaussian();
        List<String> both = new ArrayList<>(captions);
        both.addAll(captions);
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray x0 = Tensors.of(scope, images, new Shape(2L * p, 3, size, size)).mul(2f).sub(1f); // in [-1, 1], as DitTrainer's
            NDArray e = Tensors.of(scope, noise, new Shape(p, 3, size, size));
            NDArray e2 = NDArrays.concat(new NDList(e, e));
            NDArray t1 = Tensors.of(scope, times, new Shape(p));
            NDArray t = NDArrays.concat(new NDList(t1, t1));
            NDArray tb = t.reshape(2L * p, 1, 1, 1);
            NDArray xt = x0.mul(tb.neg().add(1f)).add(e2.mul(tb)); // (1 - t) x0 + t e
            NDArray target = e2.sub(x0);
            NDArray timesteps = t.mul(RectifiedFlow.TIMESTEP_SCALE);
            NDArray referenceError = flowError(reference, scope, xt, timesteps, t, target, both);
            NDArray inside;
            NDArray loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray gap = flowError(model, scope, xt, timesteps, t, target, both).sub(referenceError);
                inside = gap.get("0:" + p).sub(gap.get(p + ":")).mul((float) (-0.5 * options.beta()));
                // -log sigmoid(z) = max(-z, 0) + log(1 + exp(-|z|)), without overflow
                loss = inside.neg().maximum(0f).add(inside.abs().neg().exp().add(1f).log()).mean();
                collector.backward(loss);
            }
            adam.step(parameters, WarmupCosine.rate(options.learningRate(), step, options.warmupSteps(), options.steps(),
                    DitTrainer.Options.FINAL_LEARNING_RATE_SHARE));
            float[] z = inside.toFloatArray();
            int preferred = 0;
            for (float v : z) if (v > 0) preferred++;
            return new double[] {loss.getFloat(), preferred / (double) p};
        }
    }

    /** Each image's mean squared velocity error [2P]. */
    private static NDArray flowError(TextToImageModel m, NDManager scope, NDArray xt, NDArray timesteps, NDArray t, NDArray target,
            List<String> captions) {
        PromptEncoder.Encoded c = m.promptEncoder().encode(scope, captions);
        NDArray v = m.config().prediction().velocity(m.transformer().forward(xt, timesteps, c.embeddings(), c.mask()), xt, t);
        long n = xt.getShape().get(0);
        return v.sub(target).square().reshape(n, -1).mean(new int[] {1});
    }

    /** Writes RGB bytes (row by row) into image {@code index} of a [N, 3, S, S] buffer, in [0, 1]. */
    private static void fill(float[] into, int index, byte[] rgb, int plane) {
        if (rgb.length != 3 * plane) throw new LoupeException("a preference pair's image has " + rgb.length + " bytes, not " + 3 * plane);
        Images.planarRgb(rgb, into, index * 3 * plane);
    }
}
