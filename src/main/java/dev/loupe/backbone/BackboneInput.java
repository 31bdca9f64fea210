package dev.loupe.backbone;

import ai.djl.ndarray.NDArray;
import dev.loupe.LoupeException;
import dev.loupe.tensor.Resize;

/** Preparing an image for a backbone: a size whose sides are whole numbers of patches. */
public final class BackboneInput {
    private BackboneInput() {}

    /** Height and width in pixels, both multiples of the patch. */
    public record Size(int height, int width) {
        public int tokensHigh(int patch) { return height / patch; }

        public int tokensWide(int patch) { return width / patch; }
    }

    /**
     * The size an image of {@code height x width} gets for a backbone: its longer side becomes {@code longSide}
     * rounded to a multiple of {@code patch}, the shorter keeps the aspect ratio (rounded to a multiple of the patch,
     * at least one patch).
     */
    public static Size sizeFor(int height, int width, int patch, int longSide) {
        if (patch < 1) throw new IllegalArgumentException("patch must be positive, got " + patch);
        if (longSide < patch) throw new LoupeException("the input size " + longSide + " is smaller than one patch (" + patch + " px)");
        if (height < 1 || width < 1) throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
        int side = Math.max(patch, Math.round((float) longSide / patch) * patch);
        double scale = (double) side / Math.max(height, width);
        int shortSide = Math.max(patch, (int) Math.round(Math.min(height, width) * scale / patch) * patch);
        return height >= width ? new Size(side, shortSide) : new Size(shortSide, side);
    }

    /**
     * {@code [B,3,H,W]} resized (torchvision bilinear: antialiased when shrinking) to {@link #sizeFor}; the same
     * array when it already has that size.
     */
    public static NDArray fit(NDArray image, int patch, int longSide) {
        int h = (int) image.getShape().get(2);
        int w = (int) image.getShape().get(3);
        Size size = sizeFor(h, w, patch, longSide);
        if (size.height() == h && size.width() == w) return image;
        return Resize.torchvisionBilinear(image, size.height(), size.width());
    }

    /**
     * The image as {@code backbone} takes it: {@link #fit} to {@code longSide} (0 for the backbone's preferred size),
     * or exactly {@code preferredSize} square for a {@link Backbone#fixedSize()} backbone.
     */
    public static NDArray prepare(NDArray image, Backbone backbone, int longSide) {
        if (backbone.fixedSize()) {
            int s = backbone.preferredSize();
            if (image.getShape().get(2) == s && image.getShape().get(3) == s) return image;
            return Resize.torchvisionBilinear(image, s, s);
        }
        return fit(image, backbone.patchSize(), longSide == 0 ? backbone.preferredSize() : longSide);
    }

    /** Refuses an image whose sides are not whole patches (the contract of {@link Backbone#extract}). */
    static void checkImage(NDArray image, int patch, String backbone) {
        var s = image.getShape();
        if (s.dimension() != 4 || s.get(1) != 3) {
            throw new LoupeException(backbone + " expects an RGB image batch [B,3,H,W], got " + s);
        }
        if (s.get(2) % patch != 0 || s.get(3) % patch != 0 || s.get(2) == 0 || s.get(3) == 0) {
            throw new LoupeException(backbone + " needs image sides that are multiples of its patch (" + patch + " px), got "
                    + s.get(2) + "x" + s.get(3));
        }
    }
}
