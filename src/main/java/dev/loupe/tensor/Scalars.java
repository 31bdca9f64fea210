package dev.loupe.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Constant factors for operations that autograd differentiates. DJL's {@code x.mul(0.5f)} wraps the number in a
 * tensor over a Java buffer that it frees right after the call, but libtorch's backward pass of a product keeps the
 * other factor: once the garbage collector has reclaimed the buffer, the gradient is computed from freed memory
 * (wrong values, NaN). Multiply by {@code Scalars.of(manager, 0.5f)} instead wherever the other operand may need a
 * gradient (additions and subtractions keep nothing, and are safe with plain numbers).
 */
public final class Scalars {
    private Scalars() {}

    /** A 0-dimensional float32 tensor in libtorch's own memory, in {@code manager}. */
    public static NDArray of(NDManager manager, float value) {
        return Tensors.owned(manager.create(value));
    }
}
