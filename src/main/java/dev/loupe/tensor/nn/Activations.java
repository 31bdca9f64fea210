package dev.loupe.tensor.nn;

import ai.djl.ndarray.NDArray;
import dev.loupe.tensor.Scalars;

/** Activations torch has and DJL lacks in the form PyTorch checkpoints were trained with. Results live in the input's manager. */
public final class Activations {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private Activations() {}

    /** {@code torch.nn.SiLU}: x * sigmoid(x). */
    public static NDArray silu(NDArray x) {
        return x.mul(x.getNDArrayInternal().sigmoid());
    }

    /**
     * {@code torch.nn.GELU(approximate="tanh")}: 0.5 x (1 + tanh(z)) with z = sqrt(2/pi) (x + 0.044715 x^3), computed
     * as x sigmoid(2z) (the same function, fewer kernels: DJL cannot ask libtorch for its fused tanh GELU). Not in
     * place, so that autograd keeps what its backward pass needs; the constant factor is a {@link Scalars} tensor for
     * the same reason.
     */
    public static NDArray geluTanh(NDArray x) {
        float c = (float) (2 * SQRT_2_OVER_PI);
        NDArray twoZ = x.square().mul(Scalars.of(x.getManager(), 0.044715f * c)).add(c).mul(x);
        return x.mul(twoZ.getNDArrayInternal().sigmoid());
    }

    /** {@code torch.nn.GELU()} with the exact error function. */
    public static NDArray gelu(NDArray x) {
        return ai.djl.nn.Activation.gelu(x);
    }
}
