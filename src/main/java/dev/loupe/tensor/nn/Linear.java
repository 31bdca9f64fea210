package dev.loupe.tensor.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.Parameter;

/** {@code torch.nn.Linear}: y = x W^T + b over the last axis; keys {@code weight} [out,in] and {@code bias} [out]. */
public final class Linear extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final long in;
    private final long out;

    public Linear(NDManager manager, long in, long out, boolean withBias) {
        super(manager);
        this.in = in;
        this.out = out;
        weight = parameter("weight", uniformFanIn(manager, new Shape(out, in), in));
        bias = withBias ? parameter("bias", uniformFanIn(manager, new Shape(out), in)) : null;
    }

    public Linear(NDManager manager, long in, long out) {
        this(manager, in, out, true);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.core.Linear.linear(x, weight.array(), bias == null ? null : bias.array()).singletonOrThrow();
    }

    public long in() { return in; }

    public long out() { return out; }

    /** Multiply-accumulates for {@code rows} input vectors. */
    public long macs(long rows) {
        return rows * in * out;
    }

    public Parameter weight() { return weight; }

    public Parameter bias() { return bias; }
}
