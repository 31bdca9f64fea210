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
    private final long dim;
    private final float eps;

    public LayerNorm(NDManager manager, long dim, float eps, boolean affine) {
        super(manager);
        this.dim = dim;
        this.eps = eps;
        weight = affine ? parameter("weight", manager.ones(new Shape(dim))) : null;
        bias = affine ? parameter("bias", manager.zeros(new Shape(dim))) : null;
    }

    public NDArray forward(NDArray x) {
        NDArray mean = x.mean(new int[] {-1}, true);
        NDArray centered = x.sub(mean);
        NDArray var = centered.square().mean(new int[] {-1}, true);
        NDArray y = centered.div(var.add(eps).sqrt());
        return weight == null ? y : y.mul(weight.array()).add(bias.array());
    }

    public long dim() { return dim; }
}
