package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDManager;

/** conv3x3 -> norm -> ReLU [-> conv1x1], plus residual: the block of UPLiFT's encoder. */
final class SingleConv extends ConvBlock {
    SingleConv(NDManager manager, int in, int width, String norm, boolean residual, int stride, boolean oneBy) {
        super(manager, in, new int[] {width}, norm, residual, stride, oneBy);
    }
}
