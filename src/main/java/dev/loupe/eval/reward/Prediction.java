package dev.loupe.eval.reward;

import static dev.loupe.eval.reward.SceneAttributes.BACKGROUND_COLOURS;
import static dev.loupe.eval.reward.SceneAttributes.BACKGROUND_COLOUR_OFFSET;
import static dev.loupe.eval.reward.SceneAttributes.COUNT_OFFSET;
import static dev.loupe.eval.reward.SceneAttributes.KINDS;
import static dev.loupe.eval.reward.SceneAttributes.KIND_OFFSET;
import static dev.loupe.eval.reward.SceneAttributes.COUNT_CLASSES;
import static dev.loupe.eval.reward.SceneAttributes.OUTPUTS;
import static dev.loupe.eval.reward.SceneAttributes.PAIRS;
import static dev.loupe.eval.reward.SceneAttributes.PAIR_OFFSET;

import dev.loupe.world.BackgroundKind;
import dev.loupe.world.NamedColour;

/**
 * What the reward model sees in one image, as natural-log probabilities (see {@link SceneAttributes} for the
 * layout): for every (colour, shape) pair that it is present and that it is absent, and the distributions of the
 * object count, the background kind and the background colour. Kept in log space so that a reward multiplying
 * dozens of near-one probabilities loses nothing to rounding.
 */
public record Prediction(float[] logPresent, float[] logAbsent, float[] logCount, float[] logKind, float[] logBackgroundColour) {
    public Prediction {
        check(logPresent, PAIRS, "logPresent");
        check(logAbsent, PAIRS, "logAbsent");
        check(logCount, COUNT_CLASSES, "logCount");
        check(logKind, KINDS.size(), "logKind");
        check(logBackgroundColour, BACKGROUND_COLOURS.size(), "logBackgroundColour");
    }

    private static void check(float[] a, int length, String name) {
        if (a == null || a.length != length) {
            throw new IllegalArgumentException(name + " needs " + length + " values, got " + (a == null ? "none" : a.length));
        }
    }

    /**
     * From the network's raw output for image {@code b} of a flat {@code [B, OUTPUTS]} array: sigmoids for the
     * pairs (log p = -softplus(-x), log(1 - p) = -softplus(x)), softmaxes for the three categorical heads.
     */
    public static Prediction fromLogits(float[] logits, int b) {
        int base = b * OUTPUTS;
        float[] present = new float[PAIRS];
        float[] absent = new float[PAIRS];
        for (int i = 0; i < PAIRS; i++) {
            float x = logits[base + PAIR_OFFSET + i];
            present[i] = (float) -softplus(-x);
            absent[i] = (float) -softplus(x);
        }
        return new Prediction(present, absent,
                logSoftmax(logits, base + COUNT_OFFSET, COUNT_CLASSES),
                logSoftmax(logits, base + KIND_OFFSET, KINDS.size()),
                logSoftmax(logits, base + BACKGROUND_COLOUR_OFFSET, BACKGROUND_COLOURS.size()));
    }

    /** From probabilities (presence per pair and the three distributions), e.g. hand-made ones in tests. */
    public static Prediction ofProbabilities(float[] present, float[] count, float[] kind, float[] backgroundColour) {
        check(present, PAIRS, "present");
        float[] logPresent = new float[PAIRS];
        float[] logAbsent = new float[PAIRS];
        for (int i = 0; i < PAIRS; i++) {
            logPresent[i] = (float) Math.log(present[i]);
            logAbsent[i] = (float) Math.log1p(-present[i]);
        }
        return new Prediction(logPresent, logAbsent, logs(count), logs(kind), logs(backgroundColour));
    }

    private static float[] logs(float[] p) {
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) out[i] = (float) Math.log(p[i]);
        return out;
    }

    static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    private static float[] logSoftmax(float[] x, int offset, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[offset + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(x[offset + i] - max);
        double logZ = max + Math.log(sum);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) (x[offset + i] - logZ);
        return out;
    }

    public double presentProbability(int pair) {
        return Math.exp(logPresent[pair]);
    }

    /** The most likely number of objects (1 to 4, or 5 for "5 or more"). */
    public int count() {
        return argmax(logCount) + 1;
    }

    public BackgroundKind kind() {
        return KINDS.get(argmax(logKind));
    }

    public NamedColour backgroundColour() {
        return BACKGROUND_COLOURS.get(argmax(logBackgroundColour));
    }

    static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
        return best;
    }
}
