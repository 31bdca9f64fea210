package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.BatchNorm2d;
import dev.loupe.tensor.nn.Conv2d;
import java.util.function.UnaryOperator;

/**
 * An encoder downsampling step: a strided 3x3 conv with BatchNorm and ReLU ({@code down.0}, {@code down.1}),
 * a 2x2 max pool, or nothing (the released configurations), with an optional bilinear residual.
 */
final class DownBlock extends Module {
    private final String op;
    private final double factor;
    private final boolean bilinearResidual;
    private final Conv2d conv;
    private final BatchNorm2d norm;

    DownBlock(NDManager manager, int channels, UpliftConfig.Down cfg) {
        super(manager);
        op = cfg.downOp();
        factor = cfg.factor();
        bilinearResidual = !op.equals("none") && cfg.residual().equals("bilinear");
        if (op.equals("conv")) {
            Layers down = child("down", new Layers(manager));
            int stride = (int) Math.round(1 / factor);
            conv = down.at(0, new Conv2d(manager, channels, channels, 3, stride, 1, 1, true));
            norm = down.at(1, new BatchNorm2d(manager, channels));
        } else {
            conv = null;
            norm = null;
        }
    }

    NDArray forward(NDArray x) {
        if (op.equals("none")) return x;
        NDArray y = op.equals("conv") ? Ops.relu(norm.forward(conv.forward(x))) : maxPool(x);
        return bilinearResidual ? Ops.residualAuto(Ops.upsamplingBilinear(x, factor), y) : y;
    }

    private static NDArray maxPool(NDArray x) {
        return Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
    }

    /** Inference form (BatchNorm folded); returns its input itself when there is nothing to do. */
    UnaryOperator<NDArray> compile(NDManager target) {
        if (op.equals("none")) return x -> x;
        NDArray w;
        NDArray b;
        if (conv != null) {
            NDArray[] affine = norm.foldedAffine();
            w = conv.weight().array().mul(affine[0].reshape(-1, 1, 1, 1));
            b = conv.bias().array().mul(affine[0]).add(affine[1]);
            w.attach(target);
            b.attach(target);
        } else {
            w = null;
            b = null;
        }
        int stride = (int) Math.round(1 / factor);
        return x -> {
            NDArray y;
            if (w != null) {
                try (NDArray z = Ops.conv(x, w, b, stride, 1)) {
                    y = Ops.relu(z);
                }
            } else {
                y = maxPool(x);
            }
            if (bilinearResidual) {
                try (NDArray skip = Ops.upsamplingBilinear(x, factor)) {
                    Ops.addResidualInPlace(skip, y);
                }
            }
            return y;
        };
    }

    long outSize(long size) {
        if (op.equals("none")) return size;
        return op.equals("conv") ? (size - 1) / Math.round(1 / factor) + 1 : size / 2;
    }

    long macs(long h, long w) {
        return conv == null ? 0 : conv.macs(outSize(h), outSize(w));
    }
}
