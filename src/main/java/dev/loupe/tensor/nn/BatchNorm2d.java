package dev.loupe.tensor.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.Parameter;

/**
 * {@code torch.nn.BatchNorm2d} with PyTorch's semantics written out (momentum 0.1 on the running statistics,
 * unbiased running variance), so that checkpoints trained in either place mean the same thing. Keys:
 * {@code weight}, {@code bias}, {@code running_mean}, {@code running_var}, {@code num_batches_tracked}.
 */
public final class BatchNorm2d extends Module {
    private static final float MOMENTUM = 0.1f;
    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private final Parameter batchesTracked;
    private final float eps;

    public BatchNorm2d(NDManager manager, int channels, float eps) {
        super(manager);
        this.eps = eps;
        weight = parameter("weight", manager.ones(new Shape(channels)));
        bias = parameter("bias", manager.zeros(new Shape(channels)));
        runningMean = buffer("running_mean", manager.zeros(new Shape(channels)));
        runningVar = buffer("running_var", manager.ones(new Shape(channels)));
        batchesTracked = buffer("num_batches_tracked", dev.loupe.tensor.Tensors.owned(manager.create(0L)));
    }

    public BatchNorm2d(NDManager manager, int channels) {
        this(manager, channels, 1e-5f);
    }

    public NDArray forward(NDArray x) {
        // x: [N,C,H,W]
        NDArray mean;
        NDArray var;
        if (isTraining()) {
            mean = perChannelMean(x);
            var = perChannelMean(x.sub(mean.reshape(1, -1, 1, 1)).square());
            long n = x.getShape().size() / x.getShape().get(1);
            try (NDArray m = mean.duplicate().stopGradient(); NDArray v = var.duplicate().stopGradient()) {
                NDArray unbiased = v.mul((float) n / Math.max(1, n - 1));
                runningMean.array().muli(1 - MOMENTUM).addi(m.mul(MOMENTUM));
                runningVar.array().muli(1 - MOMENTUM).addi(unbiased.mul(MOMENTUM));
                batchesTracked.array().addi(1);
            }
        } else {
            mean = runningMean.array();
            var = runningVar.array();
        }
        NDArray scale = weight.array().div(var.add(eps).sqrt());
        NDArray shift = bias.array().sub(mean.mul(scale));
        return x.mul(scale.reshape(1, -1, 1, 1)).add(shift.reshape(1, -1, 1, 1));
    }

    /** Mean over N, H and W ([N,C,H,W] to [C]); one axis at a time, as DJL's PyTorch engine reduces only one. */
    private static NDArray perChannelMean(NDArray x) {
        return x.mean(new int[] {3}).mean(new int[] {2}).mean(new int[] {0});
    }

    /** The eval-mode affine map as (scale, shift), for folding into a preceding convolution. */
    public NDArray[] foldedAffine() {
        NDArray scale = weight.array().div(runningVar.array().add(eps).sqrt());
        NDArray shift = bias.array().sub(runningMean.array().mul(scale));
        return new NDArray[] {scale, shift};
    }
}
