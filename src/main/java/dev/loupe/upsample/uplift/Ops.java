package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.loupe.tensor.Resize;

/** The small tensor operations UPLiFT's parts share. */
final class Ops {
    private Ops() {}

    /**
     * The reference's {@code residual_auto(a, b)}: {@code a + b} after truncating or zero-padding {@code a}'s
     * channels to {@code b}'s. A new array (safe under autograd).
     */
    static NDArray residualAuto(NDArray a, NDArray b) {
        long ca = a.getShape().get(1);
        long cb = b.getShape().get(1);
        if (ca == cb) return a.add(b);
        if (ca > cb) return a.get(new NDIndex(":, :{}", cb)).add(b);
        Shape s = b.getShape();
        NDArray zeros = a.getManager().zeros(new Shape(s.get(0), cb - ca, s.get(2), s.get(3)), a.getDataType());
        return a.concat(zeros, 1).add(b);
    }

    /** {@code b += fit(a)} in place (inference only: no autograd through it). */
    static void addResidualInPlace(NDArray a, NDArray b) {
        long ca = a.getShape().get(1);
        long cb = b.getShape().get(1);
        if (ca == cb) {
            b.addi(a);
        } else if (ca > cb) {
            try (NDArray head = a.get(new NDIndex(":, :{}", cb))) {
                b.addi(head);
            }
        } else {
            try (NDArray head = b.get(new NDIndex(":, :{}", ca))) {
                head.addi(a);
            }
        }
    }

    /**
     * Runs {@code f} with its temporaries in a scope that is closed before returning: only the result stays in
     * x's manager (for layers whose forward leaves intermediates behind, in the inference form).
     */
    static NDArray scoped(NDArray x, java.util.function.UnaryOperator<NDArray> f) {
        ai.djl.ndarray.NDManager parent = x.getManager();
        try (ai.djl.ndarray.NDManager scope = parent.newSubManager()) {
            x.tempAttach(scope);
            NDArray y = f.apply(x);
            if (y == x) return x;
            y.attach(parent);
            return y;
        }
    }

    static NDArray relu(NDArray x) {
        return Activation.relu(x);
    }

    static NDArray conv(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
        return dev.loupe.tensor.Convolutions.conv2d(x, weight, bias, stride, padding, 1);
    }

    /**
     * {@code nn.UpsamplingBilinear2d(scale_factor=f)}: output size {@code floor(in * f)} and {@code align_corners=True}.
     */
    static NDArray upsamplingBilinear(NDArray x, double factor) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        return Resize.bilinear(x, (int) Math.floor(h * factor), (int) Math.floor(w * factor), true);
    }

    static int height(NDArray x) {
        return (int) x.getShape().get(2);
    }

    static int width(NDArray x) {
        return (int) x.getShape().get(3);
    }

    static long channels(NDArray x) {
        return x.getShape().get(1);
    }
}
