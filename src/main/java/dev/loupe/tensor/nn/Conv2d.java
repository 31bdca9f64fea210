package dev.loupe.tensor.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.Parameter;

/** {@code torch.nn.Conv2d} on NCHW input, zero padding; keys {@code weight} [out,in/groups,k,k] and {@code bias}. */
public final class Conv2d extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final int in;
    private final int out;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int groups;

    public Conv2d(NDManager manager, int in, int out, int kernel, int stride, int padding, int groups, boolean withBias) {
        super(manager);
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.groups = groups;
        long fanIn = (long) in / groups * kernel * kernel;
        weight = parameter("weight", uniformFanIn(manager, new Shape(out, in / groups, kernel, kernel), fanIn));
        bias = withBias ? parameter("bias", uniformFanIn(manager, new Shape(out), fanIn)) : null;
    }

    /** A stride-1 convolution with "same" padding for odd kernels. */
    public Conv2d(NDManager manager, int in, int out, int kernel, boolean withBias) {
        this(manager, in, out, kernel, 1, kernel / 2, 1, withBias);
    }

    public NDArray forward(NDArray x) {
        return dev.loupe.tensor.Convolutions.conv2d(x, weight.array(), bias == null ? null : bias.array(), stride, padding, groups);
    }

    public int in() { return in; }

    public int out() { return out; }

    public int kernel() { return kernel; }

    public int stride() { return stride; }

    /** Multiply-accumulates for one sample producing an output of {@code outH x outW}. */
    public long macs(long outH, long outW) {
        return outH * outW * out * ((long) in / groups) * kernel * kernel;
    }

    public Parameter weight() { return weight; }

    public Parameter bias() { return bias; }
}
