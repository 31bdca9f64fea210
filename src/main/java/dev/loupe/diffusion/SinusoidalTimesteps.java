package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * diffusers' {@code Timesteps} / {@code get_timestep_embedding}: N values to [N, channels] sinusoidal features,
 * frequencies exp(-ln(10000) k / (channels/2 - shift)) for k < channels/2, [sin | cos] or, flipped, [cos | sin].
 * Computed in float32 with torch's own kernels, in the order diffusers uses, so that timesteps near 1000 (where
 * float32 rounding of the angle matters) agree with the reference.
 */
public final class SinusoidalTimesteps {
    private final int channels;
    private final boolean flipSinToCos;
    private final float downscaleFreqShift;

    public SinusoidalTimesteps(int channels, boolean flipSinToCos, float downscaleFreqShift) {
        if (channels % 2 != 0) throw new IllegalArgumentException("odd timestep channels are not supported: " + channels);
        this.channels = channels;
        this.flipSinToCos = flipSinToCos;
        this.downscaleFreqShift = downscaleFreqShift;
    }

    /** PixArt's variant: 256 channels, cos first, no shift. */
    public static SinusoidalTimesteps pixart() {
        return new SinusoidalTimesteps(256, true, 0f);
    }

    /** [N] values (any numeric type) to [N, channels] float32, in the values' manager. */
    public NDArray forward(NDArray values) {
        NDManager m = values.getManager();
        int half = channels / 2;
        NDArray exponent = m.arange(0f, half, 1f).mul(-Math.log(10000)).div(half - downscaleFreqShift);
        NDArray angles = values.toType(DataType.FLOAT32, false).reshape(-1, 1).mul(exponent.exp().reshape(1, half)); // [N, half]
        NDArray sin = angles.sin();
        NDArray cos = angles.cos();
        return flipSinToCos ? NDArrays.concat(new ai.djl.ndarray.NDList(cos, sin), 1) : NDArrays.concat(new ai.djl.ndarray.NDList(sin, cos), 1);
    }

    public int channels() {
        return channels;
    }
}
