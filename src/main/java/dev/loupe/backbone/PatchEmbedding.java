package dev.loupe.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.Conv2d;

/**
 * Image to tokens ({@code patch_embed}): a patch x patch convolution with stride patch, flattened row-major, plus
 * {@link SinCosPositions} of each patch's place in the image.
 */
public final class PatchEmbedding extends Module {
    private final Conv2d proj;
    private final int patch;
    private final int width;

    public PatchEmbedding(NDManager manager, int patch, int width) {
        super(manager);
        this.patch = patch;
        this.width = width;
        proj = child("proj", new Conv2d(manager, 3, width, patch, patch, 0, 1, true));
    }

    /** {@code [B,3,H,W]} normalised image to {@code [B,h*w,D]} tokens with positions. */
    public NDArray forward(NDArray image) {
        Shape s = image.getShape();
        int h = (int) (s.get(2) / patch);
        int w = (int) (s.get(3) / patch);
        NDArray x = proj.forward(image); // [B, D, h, w]
        x = x.reshape(s.get(0), width, (long) h * w).transpose(0, 2, 1); // [B, h*w, D]
        try (NDArray positions = x.getManager().create(SinCosPositions.table(width, h, w), new Shape(1, (long) h * w, width))) {
            return x.add(positions);
        }
    }
}
