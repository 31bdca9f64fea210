package dev.loupe.eval.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.BatchNorm2d;
import dev.loupe.tensor.nn.Conv2d;

/** Convolution (no bias), BatchNorm, ReLU; keys {@code conv.weight}, {@code bn.*}. */
final class ConvBnRelu extends Module {
    private final Conv2d conv;
    private final BatchNorm2d bn;

    ConvBnRelu(NDManager manager, int in, int out, int kernel, int stride, int padding) {
        super(manager);
        conv = child("conv", new Conv2d(manager, in, out, kernel, stride, padding, 1, false));
        bn = child("bn", new BatchNorm2d(manager, out));
    }

    NDArray forward(NDArray x) {
        // torch.relu: x.maximum(0f) would make autograd keep a number DJL frees (see Scalars)
        return Activation.relu(bn.forward(conv.forward(x)));
    }

    long macs(long outH, long outW) {
        return conv.macs(outH, outW);
    }
}
