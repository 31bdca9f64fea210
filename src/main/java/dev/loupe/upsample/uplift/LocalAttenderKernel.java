package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.TensorMemory;
import java.util.stream.IntStream;

/**
 * The Local Attender's weighted sums for inference, on the CPU in plain Java: for every output pixel,
 * {@code out[c, I*y+i, I*x+j] = sum_k p[k, I*y+i, I*x+j] * value[c, y+dy_k, x+dx_k]}.
 *
 * <p>Why not tensor ops: the reference broadcasts into a {@code C x n x H x W} tensor (6.8 GB at the last step of
 * a 448 px DINOv2 input); accumulating over the offsets with tensor ops instead makes n output-sized passes
 * through memory. Here the value map is read channels-last, so that an output pixel is n scaled copies of
 * contiguous channel vectors (its n weights are scalars, loaded once), summed along the channels with the JDK's
 * vector API when the JVM has it ({@link #VECTORISED}). A run of {@link #TILE} pixels is gathered that way and
 * transposed, while it is in the L1 cache, into the channels-first rows of the output. The output is made in bands
 * of rows, each reading only the value rows and weights it needs, and written in place in the output tensor
 * ({@link TensorMemory}): memory beyond the output is a few band-sized arrays of about 32 MB, whatever the image size.
 */
public final class LocalAttenderKernel {
    /** Floats per band of output rows (32 MB). */
    private static final long BLOCK_FLOATS = 8L << 20;
    /** Output pixels gathered channels-last before they are transposed into the rows. */
    static final int TILE = 16;

    /**
     * Whether the JVM has the vector API (started with {@code --add-modules jdk.incubator.vector}, as {@code ./loupe},
     * the installed app and the tests are): then {@link VectorWeightedSum} does each pixel's sums, else
     * {@link #weightedSum}.
     */
    public static final boolean VECTORISED = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /** A pixel's weighted sums; the vector form is only named (and so loaded) when the module is there. */
    private static final WeightedSum SUM = VECTORISED ? VectorWeightedSum::weightedSum : LocalAttenderKernel::weightedSum;

    @FunctionalInterface
    private interface WeightedSum {
        void apply(float[] acc, int to, float[] p, float[] values, int[] valueAt, int channels);
    }

    private LocalAttenderKernel() {}

    /**
     * probabilities {@code [B,n,I*h,I*w]} (softmaxed over n), value {@code [B,C,h,w]}; returns {@code [B,C,I*h,I*w]}
     * in the value's manager. With {@code factor} 1 it is a per-pixel adaptive filter at one resolution (the joint
     * bilateral upsampler's).
     */
    public static NDArray apply(NDArray probabilities, NDArray value, int[][] offsets, int pad, int factor) {
        return apply(probabilities, value, offsets, pad, factor, BLOCK_FLOATS);
    }

    /** {@link #apply} with bands of about {@code blockFloats} output floats (small ones for tests). */
    static NDArray apply(NDArray probabilities, NDArray value, int[][] offsets, int pad, int factor, long blockFloats) {
        int b = (int) value.getShape().get(0);
        int c = (int) value.getShape().get(1);
        int h = (int) value.getShape().get(2);
        int w = (int) value.getShape().get(3);
        int n = offsets.length;
        int outH = h * factor;
        int outW = w * factor;
        int rowFloats = c * outW;
        int band = (int) Math.max(1, Math.min(outH, blockFloats / rowFloats));
        int paddedW = w + 2 * pad;
        int[] valueAt = new int[n];
        for (int k = 0; k < n; k++) valueAt[k] = (offsets[k][0] * paddedW + offsets[k][1]) * c;
        return TensorMemory.fill(value.getManager(), new Shape(b, c, outH, outW), out -> {
            for (int s = 0; s < b; s++) {
                long sample = (long) s * c * outH * outW;
                for (int r0 = 0; r0 < outH; r0 += band) {
                    int rows = Math.min(band, outH - r0);
                    int first = r0;
                    // the band reads low-resolution rows firstRow .. lastRow (replicated beyond the map)
                    int firstRow = r0 / factor - pad;
                    int lastRow = (r0 + rows - 1) / factor + pad;
                    float[] slab = valueRows(value, s, firstRow, lastRow, pad);
                    float[] weights; // [rows, outW, n]: a pixel's weights together
                    try (NDArray p = probabilities.get(new NDIndex("{}, :, {}:{}", s, r0, r0 + rows)).toType(DataType.FLOAT32, false);
                            NDArray t = p.transpose(1, 2, 0)) {
                        weights = t.toFloatArray();
                    }
                    IntStream.range(0, rows).parallel().forEach(r -> row(weights, slab, valueAt, c, first + r, r, firstRow, w, pad,
                            factor, out, sample, outH));
                }
            }
        });
    }

    /**
     * Rows {@code firstRow .. lastRow} of sample {@code s}'s value map, channels-last and padded by {@code pad}
     * columns, the map's borders repeated beyond its edges: {@code [lastRow - firstRow + 1, w + 2 pad, C]}.
     */
    private static float[] valueRows(NDArray value, int s, int firstRow, int lastRow, int pad) {
        int c = (int) value.getShape().get(1);
        int h = (int) value.getShape().get(2);
        int w = (int) value.getShape().get(3);
        int lo = Math.max(0, firstRow);
        int hi = Math.min(h - 1, lastRow);
        float[] rows;
        try (NDArray v = value.get(new NDIndex("{}, :, {}:{}", s, lo, hi + 1)).toType(DataType.FLOAT32, false);
                NDArray t = v.transpose(1, 2, 0)) {
            rows = t.toFloatArray();
        }
        int pw = w + 2 * pad;
        float[] out = new float[(lastRow - firstRow + 1) * pw * c];
        for (int yy = firstRow; yy <= lastRow; yy++) {
            int sy = Math.min(Math.max(yy, 0), h - 1) - lo;
            for (int xx = 0; xx < pw; xx++) {
                int sx = Math.min(Math.max(xx - pad, 0), w - 1);
                System.arraycopy(rows, (sy * w + sx) * c, out, ((yy - firstRow) * pw + xx) * c, c);
            }
        }
        return out;
    }

    /**
     * Output row {@code outRow}, every channel, into the sample of {@code out} {@code [C, outH, outW]} that starts at
     * {@code sample}; the value rows start at low-resolution row {@code firstRow}, the weights at row {@code bandRow}.
     */
    private static void row(float[] weights, float[] slab, int[] valueAt, int channels, int outRow, int bandRow, int firstRow,
            int w, int pad, int factor, TensorMemory.Lines out, long sample, int outH) {
        int n = valueAt.length;
        int outW = w * factor;
        int paddedW = w + 2 * pad;
        int y = outRow / factor;
        float[] tile = new float[TILE * channels];
        float[] line = new float[channels * outW]; // channels-first: line[c * outW + x]
        float[] p = new float[n];
        int[] at = new int[n];
        for (int x0 = 0; x0 < outW; x0 += TILE) {
            int count = Math.min(TILE, outW - x0);
            for (int t = 0; t < count; t++) {
                int outX = x0 + t;
                int centre = ((y - firstRow) * paddedW + outX / factor + pad) * channels;
                System.arraycopy(weights, (bandRow * outW + outX) * n, p, 0, n);
                for (int k = 0; k < n; k++) at[k] = centre + valueAt[k];
                SUM.apply(tile, t * channels, p, slab, at, channels);
            }
            for (int ch = 0; ch < channels; ch++) {
                int to = ch * outW + x0;
                for (int t = 0; t < count; t++) line[to + t] = tile[t * channels + ch];
            }
        }
        for (int ch = 0; ch < channels; ch++) out.put(sample + ((long) ch * outH + outRow) * outW, line, ch * outW, outW);
    }

    /**
     * {@code acc[to + c] = sum_k p[k] * values[valueAt[k] + c]} for c below {@code channels}. Four offsets per pass
     * over the accumulator: loading and storing it once per four products instead of once per product is about
     * 1.5x faster. The fallback of {@link VectorWeightedSum}, for a JVM without the vector API.
     */
    static void weightedSum(float[] acc, int to, float[] p, float[] values, int[] valueAt, int channels) {
        java.util.Arrays.fill(acc, to, to + channels, 0f);
        int n = valueAt.length;
        int k = 0;
        for (; k + 4 <= n; k += 4) {
            float p0 = p[k], p1 = p[k + 1], p2 = p[k + 2], p3 = p[k + 3];
            int v0 = valueAt[k], v1 = valueAt[k + 1], v2 = valueAt[k + 2], v3 = valueAt[k + 3];
            for (int c = 0; c < channels; c++) {
                acc[to + c] += p0 * values[v0 + c] + p1 * values[v1 + c] + p2 * values[v2 + c] + p3 * values[v3 + c];
            }
        }
        for (; k < n; k++) {
            float pk = p[k];
            int v = valueAt[k];
            for (int c = 0; c < channels; c++) acc[to + c] += pk * values[v + c];
        }
    }
}
