package dev.loupe.backbone;

/**
 * Fixed 2-D sin-cos positions of patch centres in normalised image coordinates: patch (r, c) of an h x w grid sits
 * at ((r + 0.5) / h, (c + 0.5) / w) whatever the input size, so a token means the same place in the scene at 64 and
 * at 256 pixels (UPLiFT's training compares features of one scene at 1x, 2x and 4x).
 *
 * <p>Channels: a quarter each for sin(column), cos(column), sin(row), cos(row), each over {@code D/4} frequencies
 * spaced geometrically from {@link #LOWEST} to {@link #HIGHEST} cycles per image side.
 */
public final class SinCosPositions {
    static final double LOWEST = 0.5;
    static final double HIGHEST = 16;

    private SinCosPositions() {}

    /** The {@code [h*w, dim]} table, row-major tokens. */
    public static float[] table(int dim, int h, int w) {
        if (dim % 4 != 0) throw new IllegalArgumentException("position width must be a multiple of 4, got " + dim);
        int quarter = dim / 4;
        double[] omega = new double[quarter];
        for (int k = 0; k < quarter; k++) {
            double t = quarter == 1 ? 0 : (double) k / (quarter - 1);
            omega[k] = 2 * Math.PI * LOWEST * Math.pow(HIGHEST / LOWEST, t);
        }
        float[] out = new float[h * w * dim];
        for (int r = 0; r < h; r++) {
            double y = (r + 0.5) / h;
            for (int c = 0; c < w; c++) {
                double x = (c + 0.5) / w;
                int base = (r * w + c) * dim;
                for (int k = 0; k < quarter; k++) {
                    out[base + k] = (float) Math.sin(x * omega[k]);
                    out[base + quarter + k] = (float) Math.cos(x * omega[k]);
                    out[base + 2 * quarter + k] = (float) Math.sin(y * omega[k]);
                    out[base + 3 * quarter + k] = (float) Math.cos(y * omega[k]);
                }
            }
        }
        return out;
    }
}
