package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * What the transformer's output stands for. Rectified flow samples and trains on the velocity
 * {@code v = e - x0} either way; the output is turned into it here.
 *
 * <p>Predicting the clean image instead of the velocity is JiT's point (Li and He 2025, "Back to Basics: Let
 * Denoising Generative Models Denoise"): the images lie on a small manifold of pixel space and the noise does not, so
 * a pixel-space transformer whose patches are wide against its width denoises far better when it only has to
 * give the image. The loss stays the velocity's, so both kinds train with the same objective. On the sample model
 * (48 values per patch against a width of 128, so the velocity is no bottleneck) it showed fewer of the prompted
 * shapes than the velocity after the same 9000 steps (27.8% against 35.6%): the recipe predicts the velocity.
 */
public enum Prediction {
    /** The output is the velocity itself. */
    VELOCITY("velocity", "velocity (noise - image)"),
    /**
     * The output is the clean image x0; its velocity is {@code (x_t - x0) / t}, with t held at {@link #MIN_TIME} or
     * more so that the last noise does not divide by nearly zero (JiT's clip).
     */
    IMAGE("image", "image x0; velocity (x_t - x0) / max(t, 0.05)");

    /** The smallest time an image prediction's velocity divides by. */
    public static final float MIN_TIME = 0.05f;

    private final String key;
    private final String description;

    Prediction(String key, String description) {
        this.key = key;
        this.description = description;
    }

    /** The card's name for it ({@code objective.output}). */
    public String key() {
        return key;
    }

    public String description() {
        return description;
    }

    /**
     * The velocity that {@code output}, the transformer's answer for {@code xt} [B, C, H, W] at times {@code t} ([B]
     * or [1], in [0, 1], not the model timestep), stands for.
     */
    public NDArray velocity(NDArray output, NDArray xt, NDArray t) {
        if (this == VELOCITY) return output;
        return xt.sub(output).div(t.maximum(MIN_TIME).reshape(-1, 1, 1, 1));
    }

    /** The prediction named {@code key} ({@link #key()}); null when none is. */
    public static Prediction ofKey(String key) {
        for (Prediction p : values()) if (p.key.equals(key)) return p;
        return null;
    }
}
