package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.ConvTranspose2d;
import java.util.function.UnaryOperator;

/** The reference's legacy {@code TransposeConv} block (LiFT's 2x transposed conv, no residual); key {@code up}. */
final class TransposeConvBlock extends Module {
    private final ConvTranspose2d up;

    TransposeConvBlock(NDManager manager, int in, int out) {
        super(manager);
        up = child("up", new ConvTranspose2d(manager, in, out, 2, 2, true));
    }

    NDArray forward(NDArray x) {
        return up.forward(x);
    }

    UnaryOperator<NDArray> compile() {
        return x -> Ops.scoped(x, up::forward);
    }

    long macs(long h, long w) {
        return up.macs(h, w);
    }
}
