package dev.loupe.upsample.peers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.Conv2d;
import java.util.ArrayList;
import java.util.List;

/**
 * The cross-attention upsampler's image encoder, at the image's full resolution: a 3x3 convolution from RGB and
 * ReLU ({@code stem}), then residual blocks {@code x + conv2(relu(conv1(x)))} ({@code blocks.N.conv1/conv2}).
 * Temporaries are released as soon as they are used.
 */
final class XattnEncoder extends Module {
    private final Conv2d stem;
    private final List<Conv2d[]> blocks = new ArrayList<>();

    XattnEncoder(NDManager manager, int width, int blockCount) {
        super(manager);
        stem = child("stem", new Conv2d(manager, 3, width, 3, true));
        for (int i = 0; i < blockCount; i++) {
            blocks.add(new Conv2d[] {
                child("blocks." + i + ".conv1", new Conv2d(manager, width, width, 3, true)),
                child("blocks." + i + ".conv2", new Conv2d(manager, width, width, 3, true)),
            });
        }
    }

    /** Normalised image {@code [B,3,H,W]} to features {@code [B,D,H,W]}. */
    NDArray forward(NDArray image) {
        NDArray x;
        try (NDArray s = stem.forward(image)) {
            x = Activation.relu(s);
        }
        for (Conv2d[] block : blocks) {
            NDArray y;
            try (NDArray a = block[0].forward(x); NDArray r = Activation.relu(a); NDArray b = block[1].forward(r)) {
                y = x.add(b);
            }
            x.close();
            x = y;
        }
        return x;
    }

    /** Multiply-accumulates for an image of {@code h x w}. */
    long macs(long h, long w) {
        long total = stem.macs(h, w);
        for (Conv2d[] b : blocks) total += b[0].macs(h, w) + b[1].macs(h, w);
        return total;
    }
}
