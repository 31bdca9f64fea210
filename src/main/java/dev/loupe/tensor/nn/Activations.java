package dev.loupe.tensor.nn;

import ai.djl.ndarray.NDArray;

/** Activations torch has and DJL lacks in the form PyTorch checkpoints were trained with. Results live in the input's manager. */
public final class Activations {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private Activations() {}

    /** {@code torch.nn.SiLU}: x * sigmoid(x). */
    public static NDArray silu(NDArray x) {
        return x.mul(x.getNDArrayInternal().sigmoid());
    }

    /** {@code torch.nn.GELU(approximate="tanh")}: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    public static NDArray geluTanh(NDArray x) {
        // Not in place: autograd keeps tanh's output for the backward pass.
        NDArray inner = x.pow(3).mul(0.044715f).add(x).mul((float) SQRT_2_OVER_PI);
        return inner.tanh().add(1f).mul(x).mul(0.5f);
    }

    /** {@code torch.nn.GELU()} with the exact error function. */
    public static NDArray gelu(NDArray x) {
        return ai.djl.nn.Activation.gelu(x);
    }
}
