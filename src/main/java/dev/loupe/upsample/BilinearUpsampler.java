package dev.loupe.upsample;

import ai.djl.ndarray.NDArray;
import dev.loupe.tensor.Resize;

/** The baseline every learned upsampler must beat: bilinear interpolation of the features, image ignored. */
public final class BilinearUpsampler implements Upsampler {
    private final boolean alignCorners;

    public BilinearUpsampler(boolean alignCorners) {
        this.alignCorners = alignCorners;
    }

    /** {@code align_corners=False}, as {@code F.interpolate} and the papers' bilinear baseline use. */
    public BilinearUpsampler() {
        this(false);
    }

    @Override
    public String name() {
        return "bilinear";
    }

    @Override
    public NDArray upsample(NDArray image, NDArray features, int outH, int outW) {
        return Resize.bilinear(features, outH, outW, alignCorners);
    }

    @Override
    public long parameterCount() {
        return 0;
    }
}
