package dev.loupe.features;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;

/**
 * Feature maps as colours: a PCA fitted once on the low-resolution tokens, whose basis and colour scale are then
 * applied unchanged to any map of the same features (the upsampled ones too), so a colour means the same feature
 * direction in every view.
 *
 * <ul>
 *   <li>basis: the top principal directions of the tokens (exact symmetric eigen-decomposition of the C x C
 *   covariance, or of the N x N Gram matrix when there are fewer tokens than channels); each direction's sign is
 *   chosen so that its projection's rare tail (positive skew) is bright, which makes the choice stable;</li>
 *   <li>colour scale: per component, the {@code lowPercentile} and {@code highPercentile} of the low-resolution
 *   projection map to 0 and 1 (values beyond are clipped), so a few outlier tokens do not wash out the rest.</li>
 * </ul>
 * Feature maps are {@code [1,C,H,W]} or {@code [C,H,W]}.
 */
public final class Pca {
    public static final double DEFAULT_LOW_PERCENTILE = 1;
    public static final double DEFAULT_HIGH_PERCENTILE = 99;

    private final float[] mean; // [C]
    private final float[][] basis; // [k][C], orthonormal rows
    private final double[] explained; // share of the total variance per component
    private final float[] low; // [k]
    private final float[] high; // [k]

    private Pca(float[] mean, float[][] basis, double[] explained, float[] low, float[] high) {
        this.mean = mean;
        this.basis = basis;
        this.explained = explained;
        this.low = low;
        this.high = high;
    }

    /** Three components, colours scaled between the 1st and 99th percentiles. */
    public static Pca fit(NDArray lowRes) {
        return fit(lowRes, 3, DEFAULT_LOW_PERCENTILE, DEFAULT_HIGH_PERCENTILE);
    }

    public static Pca fit(NDArray lowRes, int components, double lowPercentile, double highPercentile) {
        if (!(lowPercentile >= 0 && lowPercentile < highPercentile && highPercentile <= 100)) {
            throw new IllegalArgumentException("percentiles must satisfy 0 <= low < high <= 100, got " + lowPercentile + ", " + highPercentile);
        }
        try (NDManager scope = lowRes.getManager().newSubManager()) {
            NDArray tokens = tokens(lowRes, scope); // [N, C]
            int n = (int) tokens.getShape().get(0);
            int c = (int) tokens.getShape().get(1);
            if (components < 1 || components > Math.min(n, c)) {
                throw new IllegalArgumentException(components + " components asked of " + n + " tokens of " + c + " channels");
            }
            NDArray meanArray = tokens.mean(new int[] {0}); // [C]
            NDArray centred = tokens.sub(meanArray);
            float[][] basis;
            double[] eigenvalues;
            if (c <= n) {
                double[][] cov = square(centred.transpose().matMul(centred), c); // [C, C]
                Eigen e = Eigen.top(cov, components);
                basis = e.vectorsAsFloat();
                eigenvalues = e.values;
            } else {
                // fewer tokens than channels: eigenvectors of the Gram matrix give the same directions, v = X^T u / |X^T u|
                double[][] gram = square(centred.matMul(centred.transpose()), n); // [N, N]
                Eigen e = Eigen.top(gram, components);
                float[] u = new float[components * n];
                for (int k = 0; k < components; k++) for (int i = 0; i < n; i++) u[k * n + i] = (float) e.vectors[k][i];
                NDArray dirs = scope.create(u, new Shape(components, n)).matMul(centred); // [k, C]
                dirs = dirs.div(dirs.norm(new int[] {1}, true).maximum(1e-12f));
                float[] flat = dirs.toFloatArray();
                basis = new float[components][];
                for (int k = 0; k < components; k++) basis[k] = Arrays.copyOfRange(flat, k * c, (k + 1) * c);
                eigenvalues = e.values;
            }
            double total = centred.square().sum().getFloat();
            double[] explained = new double[components];
            for (int k = 0; k < components; k++) explained[k] = total > 0 ? Math.max(0, eigenvalues[k]) / total : 0;
            float[] mean = meanArray.toFloatArray();
            // sign: the projection's positive tail is the rare one (positive skew); ties go to the largest loading
            float[] projection = project(centred, basis, scope);
            for (int k = 0; k < components; k++) {
                double m3 = 0;
                for (int i = 0; i < n; i++) m3 += Math.pow(projection[i * components + k], 3);
                boolean flip = Math.abs(m3) > 1e-12 * n ? m3 < 0 : largestLoadingNegative(basis[k]);
                if (flip) {
                    for (int j = 0; j < c; j++) basis[k][j] = -basis[k][j];
                    for (int i = 0; i < n; i++) projection[i * components + k] = -projection[i * components + k];
                }
            }
            float[] low = new float[components];
            float[] high = new float[components];
            float[] column = new float[n];
            for (int k = 0; k < components; k++) {
                for (int i = 0; i < n; i++) column[i] = projection[i * components + k];
                Arrays.sort(column);
                low[k] = (float) percentile(column, lowPercentile);
                high[k] = (float) percentile(column, highPercentile);
                if (!(high[k] > low[k])) high[k] = low[k] + 1e-6f;
            }
            return new Pca(mean, basis, explained, low, high);
        }
    }

    /** Linear-interpolated percentile of sorted values (numpy's default). */
    static double percentile(float[] sorted, double p) {
        double rank = p / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }

    private static boolean largestLoadingNegative(float[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) if (Math.abs(v[j]) > Math.abs(v[best])) best = j;
        return v[best] < 0;
    }

    /** {@code [1,C,H,W]} or {@code [C,H,W]} as float32 tokens {@code [H*W, C]} in {@code scope}. */
    static NDArray tokens(NDArray features, NDManager scope) {
        Shape s = features.getShape();
        if (!(s.dimension() == 3 || (s.dimension() == 4 && s.get(0) == 1))) {
            throw new IllegalArgumentException("expected one feature map [1,C,H,W] or [C,H,W], got " + s);
        }
        long c = s.get(s.dimension() - 3);
        long hw = s.get(s.dimension() - 2) * s.get(s.dimension() - 1);
        NDArray t = features.reshape(c, hw).transpose().toType(DataType.FLOAT32, false);
        t.attach(scope);
        return t;
    }

    private static double[][] square(NDArray m, int size) {
        float[] flat = m.toType(DataType.FLOAT32, false).toFloatArray();
        double[][] out = new double[size][size];
        // symmetrised exactly, so that the decomposition takes its symmetric (real, orthogonal) path
        for (int i = 0; i < size; i++) for (int j = 0; j < size; j++) out[i][j] = 0.5 * ((double) flat[i * size + j] + flat[j * size + i]);
        return out;
    }

    /** Centred tokens {@code [N,C]} times the basis: {@code [N*k]} row-major. */
    private static float[] project(NDArray centred, float[][] basis, NDManager scope) {
        int k = basis.length;
        int c = basis[0].length;
        float[] flat = new float[k * c];
        for (int i = 0; i < k; i++) System.arraycopy(basis[i], 0, flat, i * c, c);
        NDArray b = scope.create(flat, new Shape(k, c));
        return centred.matMul(b.transpose()).toFloatArray(); // [N, k]
    }

    /** Raw projections of a feature map: {@code [H*W*k]} row-major (pixel-major, component-minor). */
    public float[] project(NDArray features) {
        checkChannels(features);
        try (NDManager scope = features.getManager().newSubManager()) {
            NDArray tokens = tokens(features, scope);
            NDArray m = scope.create(mean);
            return project(tokens.sub(m), basis, scope);
        }
    }

    /** Projections scaled by the colour scale into [0,1] (clipped): {@code [H*W*k]} like {@link #project}. */
    public float[] scaled(NDArray features) {
        float[] p = project(features);
        int k = basis.length;
        for (int i = 0; i < p.length; i++) {
            int j = i % k;
            float v = (p[i] - low[j]) / (high[j] - low[j]);
            p[i] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
        return p;
    }

    /**
     * The map as an RGB image at its own resolution: components 1, 2, 3 are red, green and blue (with fewer
     * components the rest are 0; with one, a grey image).
     */
    public BufferedImage toImage(NDArray features) {
        Shape s = features.getShape();
        int h = (int) s.get(s.dimension() - 2);
        int w = (int) s.get(s.dimension() - 1);
        float[] v = scaled(features);
        int k = basis.length;
        int[] rgb = new int[h * w];
        for (int i = 0; i < h * w; i++) {
            int r = byte255(v[i * k]);
            int g = k > 1 ? byte255(v[i * k + 1]) : r;
            int b = k > 2 ? byte255(v[i * k + 2]) : (k == 1 ? r : 0);
            rgb[i] = (r << 16) | (g << 8) | b;
        }
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, w, h, rgb, 0, w);
        return image;
    }

    private static int byte255(float x) {
        return Math.round(Math.max(0, Math.min(1, x)) * 255f);
    }

    private void checkChannels(NDArray features) {
        Shape s = features.getShape();
        if (s.dimension() < 3 || s.get(s.dimension() - 3) != mean.length) {
            throw new IllegalArgumentException("this PCA was fitted on " + mean.length + " channels; got features " + s);
        }
    }

    public int components() {
        return basis.length;
    }

    public int channels() {
        return mean.length;
    }

    /** The fitted mean token. */
    public float[] mean() {
        return mean.clone();
    }

    /** Component {@code k}'s unit direction in feature space. */
    public float[] direction(int k) {
        return basis[k].clone();
    }

    /** Share of the low-resolution tokens' variance along each component. */
    public double[] explainedVariance() {
        return explained.clone();
    }

    /** The projection value shown as 0 (black) for each component. */
    public float[] low() {
        return low.clone();
    }

    /** The projection value shown as 1 (full intensity) for each component. */
    public float[] high() {
        return high.clone();
    }

    /** Top eigenpairs of a symmetric matrix, largest first. */
    private record Eigen(double[] values, double[][] vectors) {
        static Eigen top(double[][] symmetric, int k) {
            EigenDecomposition e = new EigenDecomposition(new Array2DRowRealMatrix(symmetric, false));
            double[] all = e.getRealEigenvalues();
            Integer[] order = IntStream.range(0, all.length).boxed().sorted(Comparator.comparingDouble(i -> -all[i])).toArray(Integer[]::new);
            double[] values = new double[k];
            double[][] vectors = new double[k][];
            for (int i = 0; i < k; i++) {
                values[i] = all[order[i]];
                vectors[i] = e.getEigenvector(order[i]).toArray();
            }
            return new Eigen(values, vectors);
        }

        float[][] vectorsAsFloat() {
            float[][] out = new float[vectors.length][];
            for (int i = 0; i < vectors.length; i++) {
                out[i] = new float[vectors[i].length];
                for (int j = 0; j < vectors[i].length; j++) out[i][j] = (float) vectors[i][j];
            }
            return out;
        }
    }
}
