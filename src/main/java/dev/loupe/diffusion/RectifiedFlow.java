package dev.loupe.diffusion;

import java.util.SplittableRandom;

/**
 * The sample model's objective, rectified flow (Liu et al. 2022; the form of SD3, Esser et al. 2024): an image
 * x0 in [-1, 1] and Gaussian noise e are joined by the straight path {@code x_t = (1 - t) x0 + t e}, t in [0, 1],
 * and the transformer predicts its velocity {@code v = e - x0}. Sampling integrates {@code dx/dt = v} from pure
 * noise at t = 1 to an image at t = 0 (Euler, {@link Sampler}).
 *
 * <p>The transformer sees {@code 1000 t} as its timestep, the range PixArt's sinusoidal embedding was made for.
 */
public final class RectifiedFlow {
    /** Model timestep = TIMESTEP_SCALE x t. */
    public static final float TIMESTEP_SCALE = 1000f;

    private RectifiedFlow() {}

    /**
     * The {@code steps + 1} times of an Euler sampler, from 1 down to 0, evenly spaced and then shifted by
     * {@code t' = s t / (1 + (s - 1) t)} (SD3's resolution shift; s = 1 keeps them even, s > 1 spends more steps
     * at high noise).
     */
    public static double[] times(int steps, double shift) {
        if (steps < 1) throw new IllegalArgumentException("a sampler needs at least one step, got " + steps);
        if (!(shift > 0)) throw new IllegalArgumentException("the time shift must be positive, got " + shift);
        double[] t = new double[steps + 1];
        for (int i = 0; i <= steps; i++) t[i] = shift(1.0 - (double) i / steps, shift);
        return t;
    }

    /** SD3's time shift {@code s t / (1 + (s - 1) t)}: s > 1 moves times towards noise, keeping 0 and 1 in place. */
    public static double shift(double t, double s) {
        return s * t / (1 + (s - 1) * t);
    }

    /**
     * A training time from the shifted logit-normal distribution: sigmoid of N(mean, std) (SD3's choice, most
     * samples at intermediate noise, where the velocity is hardest to predict), then {@link #shift}ed towards noise.
     * The shift matters even at 32x32: whether and where an object of 10 x 10 pixels stands is decided while the
     * noise still hides it, above t = 0.9, where an unshifted logit-normal(0, 1) puts 1.4% of its samples (a shift
     * of 3 puts 14% there). The sampler uses the same shift, so it spends its steps where training did.
     *
     * <p>A share {@code uniform} of the times is drawn uniformly from (0, 1) instead: the shifted distribution alone
     * hardly visits the low noise of the sampler's last steps. With {@code uniform} 0 no extra number is drawn, so
     * recipes without the mixture keep their random stream.
     */
    public static float trainingTime(SplittableRandom random, double mean, double std, double shift, double uniform) {
        if (uniform > 0 && random.nextDouble() < uniform) return (float) (1 - random.nextDouble());
        double z = mean + std * random.nextGaussian();
        return (float) shift(1 / (1 + Math.exp(-z)), shift);
    }

    /**
     * The noise of one image, {@code count} standard Gaussians in C x H x W order, from the image's seed alone
     * (Java's {@link SplittableRandom}, not the engine's generator), so that the same seed starts from the same noise
     * in any batch.
     */
    public static float[] noise(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] out = new float[count];
        for (int i = 0; i < count; i++) out[i] = (float) random.nextGaussian();
        return out;
    }
}
