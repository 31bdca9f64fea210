package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.Parameter;

/**
 * LayerNorm over the channel axis of an NCHW map (ConvNeXt's {@code channels_first} LayerNorm, which the UPLiFT
 * reference uses for its {@code norm: layer} blocks): each pixel's channel vector is normalised, then scaled and
 * shifted per channel. Keys {@code weight} and {@code bias}; eps 1e-6.
 */
public final class ChannelsFirstLayerNorm extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final float eps;

    public ChannelsFirstLayerNorm(NDManager manager, int channels, float eps) {
        super(manager);
        this.eps = eps;
        weight = parameter("weight", manager.ones(new Shape(channels)));
        bias = parameter("bias", manager.zeros(new Shape(channels)));
    }

    public ChannelsFirstLayerNorm(NDManager manager, int channels) {
        this(manager, channels, 1e-6f);
    }

    public NDArray forward(NDArray x) {
        // x: [B,C,H,W]; statistics over C at every pixel
        NDArray mean = x.mean(new int[] {1}, true);
        NDArray centered = x.sub(mean);
        NDArray var = centered.square().mean(new int[] {1}, true);
        NDArray y = centered.div(var.add(eps).sqrt());
        return y.mul(weight.array().reshape(1, -1, 1, 1)).add(bias.array().reshape(1, -1, 1, 1));
    }
}
