package dev.loupe.backbone;

import ai.djl.ndarray.NDArray;
import dev.loupe.tensor.Images;
import java.util.Arrays;

/**
 * A frozen vision backbone: an image in, its coarse patch features out. Implementations: the shipped
 * {@link SampleVitBackbone}, a {@link TorchScriptBackbone} file (for example a DINOv2 export) and an
 * {@link OnnxBackbone} file; {@link Backbones#open} picks one from a name or a path.
 *
 * <p>Contract of {@link #extract}:
 * <ul>
 *   <li>{@code image}: {@code [B,3,H,W]} RGB in [0,1], not normalised (the backbone applies its own
 *   {@link #normalisation()}), with H and W multiples of {@link #patchSize()} ({@link BackboneInput#fit} makes
 *   them so);</li>
 *   <li>result: float32 {@code [B,C,H/patch,W/patch]} with C = {@link #channels()}, a new array in the manager of
 *   {@code image}; temporaries are released before returning; no gradient is recorded.</li>
 * </ul>
 * A backbone may be used from any one thread at a time (a background task, for example), not from several at
 * once. It owns native memory (its weights or its engine session): its owner closes it.
 */
public interface Backbone extends AutoCloseable {
    /** A short name for titles and legends ("sample-vit", "dinov2_vits14.pt", ...). */
    String name();

    /** Pixels per token side: features are 1/patch of the image. */
    int patchSize();

    /** Feature channels C. */
    int channels();

    /** The mean/std the backbone was trained with (applied by {@link #extract}). */
    Normalisation normalisation();

    /** The input size (square side, a multiple of the patch) the backbone works best at. */
    int preferredSize();

    /**
     * True when the backbone takes only {@link #preferredSize()} square images (for example a traced export whose
     * position embeddings were baked in at one size); {@link BackboneInput#prepare} then resizes to exactly that.
     */
    default boolean fixedSize() {
        return false;
    }

    NDArray extract(NDArray image);

    @Override
    void close();

    /** Per-channel input normalisation: {@code (x - mean) / std} on RGB in [0,1]. */
    record Normalisation(float[] mean, float[] std) {
        public static final Normalisation IMAGENET = new Normalisation(
                Images.IMAGENET_MEAN.clone(), Images.IMAGENET_STD.clone());

        public Normalisation {
            if (mean.length != 3 || std.length != 3) {
                throw new IllegalArgumentException("mean and std need 3 values (R, G, B), got " + mean.length + " and " + std.length);
            }
            for (float s : std) {
                if (!(s > 0)) throw new IllegalArgumentException("std values must be positive, got " + Arrays.toString(std));
            }
            mean = mean.clone();
            std = std.clone();
        }

        @Override
        public float[] mean() {
            return mean.clone();
        }

        @Override
        public float[] std() {
            return std.clone();
        }

        /** A new normalised array in the manager of {@code rgb}. */
        public NDArray apply(NDArray rgb) {
            return Images.normalize(rgb, mean, std);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Normalisation n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
        }

        @Override
        public String toString() {
            return "mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std);
        }
    }
}
