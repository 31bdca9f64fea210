package dev.loupe.app.frontier;

/**
 * A small ARGB picture (row-major {@code width x height}), made without a window and turned into an FX image by
 * {@link FxRasters}; {@link #scaled} enlarges it with nearest-neighbour pixels, so a 32x32 render stays crisp.
 */
public record Raster(int width, int height, int[] argb) {
    public Raster {
        if (width <= 0 || height <= 0 || argb.length != width * height) {
            throw new IllegalArgumentException(width + "x" + height + " raster with " + argb.length + " pixels");
        }
    }

    public int at(int x, int y) {
        return argb[y * width + x];
    }

    /** Every pixel becomes a {@code factor x factor} square. */
    public Raster scaled(int factor) {
        if (factor == 1) return this;
        if (factor < 1) throw new IllegalArgumentException("scale factor " + factor);
        int w = width * factor, h = height * factor;
        int[] out = new int[w * h];
        for (int y = 0; y < h; y++) {
            int row = (y / factor) * width;
            for (int x = 0; x < w; x++) out[y * w + x] = argb[row + x / factor];
        }
        return new Raster(w, h, out);
    }

    /** The largest integer factor that keeps the raster within {@code maxWidth x maxHeight} (at least 1). */
    public int fitFactor(int maxWidth, int maxHeight) {
        return Math.max(1, Math.min(maxWidth / width, maxHeight / height));
    }
}
