package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.ConvTranspose2d;
import java.util.function.UnaryOperator;

/**
 * The decoder's upsampling step: a transposed conv with kernel = stride = factor (key {@code up}) plus a bilinear
 * residual ({@code nn.UpsamplingBilinear2d}, align_corners=True) of its input.
 */
final class UpBlock extends Module {
    private final ConvTranspose2d up;
    private final int factor;
    private final boolean bilinearResidual;

    UpBlock(NDManager manager, int channels, UpliftConfig.Up cfg) {
        super(manager);
        factor = cfg.factor();
        bilinearResidual = cfg.upOp().equals("tconv") && cfg.residual().equals("bilinear");
        up = cfg.upOp().equals("tconv") ? child("up", new ConvTranspose2d(manager, channels, channels, factor, factor, true)) : null;
    }

    NDArray forward(NDArray x) {
        if (up == null) return x;
        NDArray y = up.forward(x); // [B,C,h,w] -> [B,C,f*h,f*w]
        return bilinearResidual ? Ops.residualAuto(Ops.upsamplingBilinear(x, factor), y) : y;
    }

    UnaryOperator<NDArray> compile() {
        if (up == null) return x -> x;
        return x -> {
            NDArray y = Ops.scoped(x, up::forward);
            if (bilinearResidual) {
                try (NDArray skip = Ops.upsamplingBilinear(x, factor)) {
                    Ops.addResidualInPlace(skip, y);
                }
            }
            return y;
        };
    }

    int factor() {
        return up == null ? 1 : factor;
    }

    long macs(long h, long w) {
        return up == null ? 0 : up.macs(h, w);
    }
}
