package dev.loupe.eval;

/**
 * The boundary F-score of segmentations (Csurka et al., BMVC 2013): a pixel is on a boundary when one of its four
 * neighbours has another label; a predicted boundary pixel is a hit when a true boundary pixel lies within the
 * tolerance (a disc of {@code tolerance} pixels), and a true one is found when a predicted one does. Precision and
 * recall are pooled over every image added, and F is their harmonic mean. Class-agnostic: it scores where the
 * label changes, which is what upsampling either gets sharp or blurs.
 */
public final class BoundaryScore {
    private long predicted;
    private long predictedHits;
    private long truth;
    private long truthFound;

    /** Csurka's tolerance: 0.75% of the image diagonal, at least one pixel. */
    public static int tolerance(int height, int width) {
        return (int) Math.max(1, Math.round(0.0075 * Math.hypot(height, width)));
    }

    /** Adds one image's labels ({@code height x width}, row-major). */
    public void add(long[] truthLabels, long[] predictedLabels, int height, int width, int tolerance) {
        if (truthLabels.length != (long) height * width || predictedLabels.length != truthLabels.length) {
            throw new IllegalArgumentException("label maps must both have " + height + "x" + width + " values, got "
                    + truthLabels.length + " and " + predictedLabels.length);
        }
        boolean[] t = boundaries(truthLabels, height, width);
        boolean[] p = boundaries(predictedLabels, height, width);
        boolean[] nearT = dilate(t, height, width, tolerance);
        boolean[] nearP = dilate(p, height, width, tolerance);
        for (int i = 0; i < t.length; i++) {
            if (p[i]) {
                predicted++;
                if (nearT[i]) predictedHits++;
            }
            if (t[i]) {
                truth++;
                if (nearP[i]) truthFound++;
            }
        }
    }

    /** Share of predicted boundary pixels near a true boundary (1 when nothing was predicted and nothing is true). */
    public double precision() {
        return predicted == 0 ? (truth == 0 ? 1 : 0) : (double) predictedHits / predicted;
    }

    /** Share of true boundary pixels near a predicted boundary (1 when there is none). */
    public double recall() {
        return truth == 0 ? 1 : (double) truthFound / truth;
    }

    public double f() {
        double p = precision();
        double r = recall();
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    static boolean[] boundaries(long[] labels, int h, int w) {
        boolean[] b = new boolean[labels.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                if (x + 1 < w && labels[i] != labels[i + 1]) b[i] = b[i + 1] = true;
                if (y + 1 < h && labels[i] != labels[i + w]) b[i] = b[i + w] = true;
            }
        }
        return b;
    }

    /** Every pixel within Euclidean distance {@code r} of a set pixel. */
    static boolean[] dilate(boolean[] b, int h, int w, int r) {
        boolean[] out = new boolean[b.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (!b[y * w + x]) continue;
                for (int dy = -r; dy <= r; dy++) {
                    int yy = y + dy;
                    if (yy < 0 || yy >= h) continue;
                    for (int dx = -r; dx <= r; dx++) {
                        int xx = x + dx;
                        if (xx >= 0 && xx < w && dy * dy + dx * dx <= r * r) out[yy * w + xx] = true;
                    }
                }
            }
        }
        return out;
    }
}
