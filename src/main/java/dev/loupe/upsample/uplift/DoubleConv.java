package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDManager;

/** (conv3x3 -> norm -> ReLU) twice [-> conv1x1], plus residual: the block of UPLiFT's decoder. */
final class DoubleConv extends ConvBlock {
    DoubleConv(NDManager manager, int in, int width, String norm, boolean residual, int stride, boolean oneBy) {
        super(manager, in, new int[] {width, width}, norm, residual, stride, oneBy);
    }
}
