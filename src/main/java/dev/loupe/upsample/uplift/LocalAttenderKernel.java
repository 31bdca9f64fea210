package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;

/**
 * The Local Attender's weighted sums for inference, on the CPU in plain Java: for every output pixel,
 * {@code out[c, I*y+i, I*x+j] = sum_k p[k, I*y+i, I*x+j] * value[c, y+dy_k, x+dx_k]}.
 *
 * <p>Why not tensor ops: the reference broadcasts into a {@code C x n x H x W} tensor (6.8 GB at the last step of
 * a 448 px DINOv2 input); accumulating over the offsets with tensor ops instead makes n output-sized passes
 * through memory. Here each sub-pixel phase {@code (i, j)} is computed at low resolution, where the n shifted value
 * rows and the phase's weights are contiguous, and the phases are interleaved into the output row (a pixel
 * shuffle) as it is written. The weights of one low-resolution row stay in cache while every channel of a block
 * streams past them. Memory: the output, the weights in phase-major order, and one block of channels
 * (about 32 MB); nothing grows with n.
 */
final class LocalAttenderKernel {
    /** Floats per channel block of output (32 MB). */
    private static final long BLOCK_FLOATS = 8L << 20;

    private LocalAttenderKernel() {}

    /**
     * probabilities {@code [B,n,I*h,I*w]} (softmaxed over n), value {@code [B,C,h,w]}; returns {@code [B,C,I*h,I*w]}
     * in the value's manager.
     */
    static NDArray apply(NDArray probabilities, NDArray value, int[][] offsets, int pad, int factor) {
        NDManager m = value.getManager();
        int b = (int) value.getShape().get(0);
        int c = (int) value.getShape().get(1);
        int h = (int) value.getShape().get(2);
        int w = (int) value.getShape().get(3);
        int n = offsets.length;
        int outH = h * factor;
        int outW = w * factor;
        long plane = (long) outH * outW;
        int block = (int) Math.max(1, Math.min(c, BLOCK_FLOATS / plane));
        NDArray out = m.create(new Shape(b, c, outH, outW), DataType.FLOAT32);
        ByteBuffer bytes = ByteBuffer.allocateDirect((int) (block * plane * Float.BYTES)).order(ByteOrder.nativeOrder());
        FloatBuffer blockOut = bytes.asFloatBuffer();
        for (int s = 0; s < b; s++) {
            float[] phases;
            try (NDArray p = probabilities.get(new NDIndex("{}:{}", s, s + 1)).toType(DataType.FLOAT32, false);
                    NDArray r = p.reshape(n, h, factor, w, factor); // [n,h,i,w,j]
                    NDArray t = r.transpose(2, 4, 0, 1, 3)) { // [i,j,n,h,w]: a phase's weights are contiguous rows
                phases = t.toFloatArray();
            }
            for (int c0 = 0; c0 < c; c0 += block) {
                int c1 = Math.min(c, c0 + block);
                float[] padded;
                try (NDArray v = value.get(new NDIndex("{}, {}:{}", s, c0, c1)).toType(DataType.FLOAT32, false)) {
                    padded = replicationPad(v.toFloatArray(), c1 - c0, h, w, pad);
                }
                int channels = c1 - c0;
                float[] weights = phases;
                IntStream.range(0, h).parallel().forEach(y ->
                        row(weights, padded, channels, y, h, w, pad, factor, offsets, blockOut));
                // The chunk wraps the direct buffer without a copy; set() copies it into the output at once.
                try (NDArray chunk = m.create(bytes, new Shape(1, channels, outH, outW), DataType.FLOAT32)) {
                    out.set(new NDIndex("{}:{}, {}:{}", s, s + 1, c0, c1), chunk);
                }
                java.lang.ref.Reference.reachabilityFence(bytes);
            }
        }
        return out;
    }

    /** All output rows {@code I*y .. I*y+I-1} of every channel of the block. */
    private static void row(float[] phases, float[] padded, int channels, int y, int h, int w, int pad, int factor,
            int[][] offsets, FloatBuffer out) {
        int n = offsets.length;
        int paddedW = w + 2 * pad;
        int paddedPlane = (h + 2 * pad) * paddedW;
        int outW = w * factor;
        int outH = h * factor;
        int lowPlane = h * w;
        float[] acc = new float[w];
        float[] line = new float[outW];
        for (int ch = 0; ch < channels; ch++) {
            int channelBase = ch * paddedPlane;
            for (int i = 0; i < factor; i++) {
                for (int j = 0; j < factor; j++) {
                    java.util.Arrays.fill(acc, 0f);
                    int phaseBase = (i * factor + j) * n * lowPlane + y * w;
                    for (int k = 0; k < n; k++) {
                        int a = phaseBase + k * lowPlane;
                        int v = channelBase + (y + offsets[k][0] + pad) * paddedW + offsets[k][1] + pad;
                        for (int x = 0; x < w; x++) acc[x] += phases[a + x] * padded[v + x];
                    }
                    for (int x = 0; x < w; x++) line[x * factor + j] = acc[x];
                }
                out.put((int) (((long) ch * outH + (long) y * factor + i) * outW), line);
            }
        }
    }

    /** {@code [C,h,w]} to {@code [C,h+2p,w+2p]} with the borders repeated. */
    static float[] replicationPad(float[] v, int channels, int h, int w, int p) {
        int pw = w + 2 * p;
        int ph = h + 2 * p;
        float[] out = new float[channels * ph * pw];
        for (int c = 0; c < channels; c++) {
            for (int yy = 0; yy < ph; yy++) {
                int src = c * h * w + Math.min(Math.max(yy - p, 0), h - 1) * w;
                int dst = (c * ph + yy) * pw;
                for (int xx = 0; xx < pw; xx++) out[dst + xx] = v[src + Math.min(Math.max(xx - p, 0), w - 1)];
            }
        }
        return out;
    }
}
