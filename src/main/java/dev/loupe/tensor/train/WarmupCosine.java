package dev.loupe.tensor.train;

/** The trainers' learning-rate schedule: a linear warm-up to the peak, then a cosine decay to a share of it. */
public final class WarmupCosine {
    private WarmupCosine() {}

    /**
     * The rate of step {@code step} (0-based) of a run of {@code steps}: {@code peak} reached after
     * {@code warmupSteps}, then decayed along a cosine to {@code finalShare x peak} at the last step.
     */
    public static float rate(float peak, long step, long warmupSteps, long steps, double finalShare) {
        if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
        double progress = (double) (step - warmupSteps) / Math.max(1, steps - warmupSteps);
        double cosine = 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
        return (float) (peak * (finalShare + (1 - finalShare) * cosine));
    }
}
