package dev.loupe.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Tensors made from Java arrays whose memory libtorch owns. DJL's PyTorch engine wraps the Java buffer of
 * {@code manager.create(float[])} without copying; the memory goes away with the Java object, while libtorch may
 * still hold the tensor (autograd saves the operands of a product or the indices of a gather for the backward pass,
 * a view keeps its base). Copying once into libtorch's memory makes closing the array safe at any time.
 */
public final class Tensors {
    private Tensors() {}

    public static NDArray owned(NDArray blobBacked) {
        try (blobBacked) {
            return blobBacked.duplicate();
        }
    }

    public static NDArray of(NDManager manager, float[] data, Shape shape) {
        return owned(manager.create(data, shape));
    }

    public static NDArray of(NDManager manager, long[] data) {
        return owned(manager.create(data));
    }

    /**
     * {@code sum + term} as a new array, both operands closed (null {@code sum}: {@code term} itself), for sums built
     * one output-sized term at a time; safe under autograd, which keeps what it needs.
     */
    public static NDArray accumulate(NDArray sum, NDArray term) {
        if (sum == null) return term;
        NDArray next = sum.add(term);
        sum.close();
        term.close();
        return next;
    }
}
