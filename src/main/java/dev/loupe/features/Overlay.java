package dev.loupe.features;

import java.awt.image.BufferedImage;

/** Colour maps over the image they describe, and the nearest-neighbour enlargement that shows tokens as blocks. */
public final class Overlay {
    private Overlay() {}

    /**
     * {@code (1 - opacity) * image + opacity * colours}, per channel, at the image's size; {@code colours} of another
     * size is scaled to it first (nearest neighbour, so low-resolution tokens stay visible as blocks).
     */
    public static BufferedImage blend(BufferedImage image, BufferedImage colours, double opacity) {
        if (!(opacity >= 0 && opacity <= 1)) throw new IllegalArgumentException("opacity must be in [0,1], got " + opacity);
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage top = colours.getWidth() == w && colours.getHeight() == h ? colours : nearest(colours, w, h);
        int[] a = image.getRGB(0, 0, w, h, null, 0, w);
        int[] b = top.getRGB(0, 0, w, h, null, 0, w);
        int[] out = new int[w * h];
        for (int i = 0; i < out.length; i++) {
            int r = mix(a[i] >> 16, b[i] >> 16, opacity);
            int g = mix(a[i] >> 8, b[i] >> 8, opacity);
            int bl = mix(a[i], b[i], opacity);
            out[i] = (r << 16) | (g << 8) | bl;
        }
        BufferedImage result = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        result.setRGB(0, 0, w, h, out, 0, w);
        return result;
    }

    private static int mix(int a, int b, double t) {
        return (int) Math.round((a & 0xff) * (1 - t) + (b & 0xff) * t);
    }

    /**
     * Nearest-neighbour resize: output pixel (x, y) shows source pixel (floor(x * w / W), floor(y * h / H)), as
     * {@code F.interpolate(mode="nearest")}; a token of a patch-p grid covers exactly its p x p pixels.
     */
    public static BufferedImage nearest(BufferedImage source, int width, int height) {
        int sw = source.getWidth();
        int sh = source.getHeight();
        int[] src = source.getRGB(0, 0, sw, sh, null, 0, sw);
        int[] out = new int[width * height];
        for (int y = 0; y < height; y++) {
            int sy = (int) ((long) y * sh / height);
            for (int x = 0; x < width; x++) out[y * width + x] = src[sy * sw + (int) ((long) x * sw / width)];
        }
        BufferedImage result = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        result.setRGB(0, 0, width, height, out, 0, width);
        return result;
    }
}
