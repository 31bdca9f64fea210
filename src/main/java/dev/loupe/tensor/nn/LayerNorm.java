package dev.loupe.tensor.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.Parameter;

/** {@code torch.nn.LayerNorm} over the last axis, with or without the affine {@code weight}/{@code bias}. */
public final class LayerNorm extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final NDArray ones;
    private final NDArray zeros;
    private final long dim;
    private final float eps;

    public LayerNorm(NDManager manager, long dim, float eps, boolean affine) {
        super(manager);
        this.dim = dim;
        this.eps = eps;
        weight = affine ? parameter("weight", manager.ones(new Shape(dim))) : null;
        bias = affine ? parameter("bias", manager.zeros(new Shape(dim))) : null;
        // libtorch's fused layer_norm (one kernel instead of seven) needs a scale and shift even without affine weights
        ones = affine ? null : manager.ones(new Shape(dim));
        zeros = affine ? null : manager.zeros(new Shape(dim));
    }

    public NDArray forward(NDArray x) {
        NDArray gamma = weight == null ? ones : weight.array();
        NDArray beta = bias == null ? zeros : bias.array();
        return x.getNDArrayInternal().layerNorm(x, new Shape(dim), gamma, beta, eps).singletonOrThrow();
    }

    public long dim() { return dim; }
}
