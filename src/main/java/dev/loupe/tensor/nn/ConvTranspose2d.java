package dev.loupe.tensor.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.Parameter;

/** {@code torch.nn.ConvTranspose2d} without padding; keys {@code weight} [in,out,k,k] and {@code bias} [out]. */
public final class ConvTranspose2d extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final int in;
    private final int out;
    private final int kernel;
    private final int stride;

    public ConvTranspose2d(NDManager manager, int in, int out, int kernel, int stride, boolean withBias) {
        super(manager);
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        // PyTorch computes fan_in of a transposed convolution from weight.size(1) * k * k.
        long fanIn = (long) out * kernel * kernel;
        weight = parameter("weight", uniformFanIn(manager, new Shape(in, out, kernel, kernel), fanIn));
        bias = withBias ? parameter("bias", uniformFanIn(manager, new Shape(out), fanIn)) : null;
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.convolutional.Conv2dTranspose.conv2dTranspose(x, weight.array(),
                bias == null ? null : bias.array(), new Shape(stride, stride), new Shape(0, 0), new Shape(0, 0),
                new Shape(1, 1), 1).singletonOrThrow();
    }

    /** Multiply-accumulates for one sample with an input of {@code inH x inW}. */
    public long macs(long inH, long inW) {
        return inH * inW * in * out * kernel * kernel;
    }

    public Parameter weight() { return weight; }
}
