package dev.loupe.eval;

import java.util.List;

/**
 * Where a segmentation goes wrong: the share of pixels given the wrong class, by how far each pixel lies from the
 * nearest true class boundary (in pixels, chessboard distance; the boundary pixels themselves, as
 * {@link BoundaryScore} finds them, are at 0). A blurred upsampler errs mostly in the first bands; one that carries
 * the wrong features into an object errs deep inside it too. Counts are pooled over every image added.
 */
public final class ErrorsByBoundaryDistance {
    /** The bands' inclusive lower bounds in pixels; the last band is open. */
    public static final int[] BAND_STARTS = {0, 1, 3, 6, 11};

    private final long[] pixels = new long[BAND_STARTS.length];
    private final long[] errors = new long[BAND_STARTS.length];

    /** Column names of the bands: "0 px", "1–2 px", "3–5 px", "6–10 px", "11+ px". */
    public static List<String> bandNames() {
        String[] names = new String[BAND_STARTS.length];
        for (int b = 0; b < BAND_STARTS.length; b++) {
            int from = BAND_STARTS[b];
            if (b == BAND_STARTS.length - 1) names[b] = from + "+ px";
            else names[b] = (BAND_STARTS[b + 1] - 1 == from ? String.valueOf(from) : from + "–" + (BAND_STARTS[b + 1] - 1)) + " px";
        }
        return List.of(names);
    }

    /** Adds one image's labels ({@code height x width}, row-major). */
    public void add(long[] truthLabels, long[] predictedLabels, int height, int width) {
        if (truthLabels.length != (long) height * width || predictedLabels.length != truthLabels.length) {
            throw new IllegalArgumentException("label maps must both have " + height + "x" + width + " values, got "
                    + truthLabels.length + " and " + predictedLabels.length);
        }
        int[] distance = distanceToBoundary(truthLabels, height, width);
        for (int i = 0; i < distance.length; i++) {
            int band = band(distance[i]);
            pixels[band]++;
            if (predictedLabels[i] != truthLabels[i]) errors[band]++;
        }
    }

    /** Share of each band's pixels given the wrong class (NaN for a band no pixel fell in). */
    public double[] errorRates() {
        double[] rates = new double[pixels.length];
        for (int b = 0; b < rates.length; b++) rates[b] = pixels[b] == 0 ? Double.NaN : (double) errors[b] / pixels[b];
        return rates;
    }

    /** Share of all pixels in each band. */
    public double[] pixelShares() {
        long total = 0;
        for (long p : pixels) total += p;
        double[] shares = new double[pixels.length];
        for (int b = 0; b < shares.length; b++) shares[b] = total == 0 ? Double.NaN : (double) pixels[b] / total;
        return shares;
    }

    static int band(int distance) {
        int band = 0;
        while (band + 1 < BAND_STARTS.length && distance >= BAND_STARTS[band + 1]) band++;
        return band;
    }

    /**
     * Chessboard distance from every pixel to the nearest boundary pixel, by the two-pass chamfer transform (exact for
     * this metric). A map with no boundary at all is everywhere {@link Integer#MAX_VALUE}.
     */
    static int[] distanceToBoundary(long[] labels, int h, int w) {
        boolean[] boundary = BoundaryScore.boundaries(labels, h, w);
        int far = Integer.MAX_VALUE / 2;
        int[] d = new int[labels.length];
        for (int i = 0; i < d.length; i++) d[i] = boundary[i] ? 0 : far;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                if (x > 0) d[i] = Math.min(d[i], d[i - 1] + 1);
                if (y > 0) {
                    d[i] = Math.min(d[i], d[i - w] + 1);
                    if (x > 0) d[i] = Math.min(d[i], d[i - w - 1] + 1);
                    if (x + 1 < w) d[i] = Math.min(d[i], d[i - w + 1] + 1);
                }
            }
        }
        for (int y = h - 1; y >= 0; y--) {
            for (int x = w - 1; x >= 0; x--) {
                int i = y * w + x;
                if (x + 1 < w) d[i] = Math.min(d[i], d[i + 1] + 1);
                if (y + 1 < h) {
                    d[i] = Math.min(d[i], d[i + w] + 1);
                    if (x + 1 < w) d[i] = Math.min(d[i], d[i + w + 1] + 1);
                    if (x > 0) d[i] = Math.min(d[i], d[i + w - 1] + 1);
                }
            }
        }
        for (int i = 0; i < d.length; i++) if (d[i] >= far) d[i] = Integer.MAX_VALUE;
        return d;
    }
}
