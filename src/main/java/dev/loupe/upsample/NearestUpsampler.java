package dev.loupe.upsample;

import ai.djl.ndarray.NDArray;
import dev.loupe.tensor.Resize;

/** Each output pixel copies the feature of the patch it falls in (PyTorch's {@code nearest}), image ignored. */
public final class NearestUpsampler implements Upsampler {
    @Override
    public String name() {
        return "nearest";
    }

    @Override
    public NDArray upsample(NDArray image, NDArray features, int outH, int outW) {
        return Resize.nearest(features, outH, outW);
    }

    @Override
    public long parameterCount() {
        return 0;
    }
}
