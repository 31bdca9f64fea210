package dev.loupe.upsample;

import ai.djl.ndarray.NDArray;

/**
 * Turns coarse backbone features into dense ones, guided (or not) by the image they came from. Implementations:
 * {@link BilinearUpsampler}, {@link NearestUpsampler}, UPLiFT ({@code uplift.UpliftUpsampler}) and the peers.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@code image}: {@code [B,3,H,W]} RGB in [0,1], not normalised: each upsampler applies the normalisation
 *   its own encoder was trained with;</li>
 *   <li>{@code features}: {@code [B,C,h,w]} from the backbone, for that image;</li>
 *   <li>result: {@code [B,C,outH,outW]}, a new array in the manager of {@code features}; temporaries are released
 *   before returning.</li>
 * </ul>
 * Implementations that own native memory (weights) are closed by their owner.
 */
public interface Upsampler extends AutoCloseable {
    /** A short name for tables and legends ("bilinear", "uplift-dinov2-s14", ...). */
    String name();

    NDArray upsample(NDArray image, NDArray features, int outH, int outW);

    /** Learned parameters (0 for fixed interpolation). */
    long parameterCount();

    @Override
    default void close() {}
}
