package dev.loupe.upsample.peers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * 2-D rotary position embeddings (RoPE) for queries and keys that live on different grids: positions are in units
 * of the low-resolution token grid (a token's centre at {@code (i + 0.5, j + 0.5)}, an output pixel's at its centre
 * scaled to that grid), so a query and a key that sit at the same place of the image rotate alike whatever the
 * output size. Each head's width is split into pairs of channels: the first half of the pairs rotate with the row
 * coordinate, the second with the column, at frequencies from pi (a 2-token wavelength) down to pi/64.
 */
final class RotaryPositions {
    private final float[] frequencies;

    RotaryPositions(int headDim) {
        int perAxis = headDim / 4;
        frequencies = new float[perAxis];
        for (int i = 0; i < perAxis; i++) {
            double t = perAxis == 1 ? 0 : (double) i / (perAxis - 1);
            frequencies[i] = (float) (Math.PI * Math.pow(1.0 / 64, t));
        }
    }

    /**
     * Rotates {@code x} {@code [B,heads,N,d]} whose N positions are {@code (ys[n], xs[n])}; a new array in x's
     * manager.
     */
    NDArray rotate(NDArray x, float[] ys, float[] xs) {
        int n = ys.length;
        int pairs = 2 * frequencies.length;
        float[] cos = new float[n * pairs];
        float[] sin = new float[n * pairs];
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < pairs; i++) {
                double angle = i < frequencies.length ? ys[p] * frequencies[i] : xs[p] * frequencies[i - frequencies.length];
                cos[p * pairs + i] = (float) Math.cos(angle);
                sin[p * pairs + i] = (float) Math.sin(angle);
            }
        }
        NDManager m = x.getManager();
        Shape s = x.getShape();
        try (NDArray c = m.create(cos, new Shape(n, pairs)); NDArray si = m.create(sin, new Shape(n, pairs));
                NDArray split = x.reshape(s.get(0), s.get(1), n, pairs, 2); // [B,heads,N,pairs,2]
                NDArray a = split.get(new NDIndex("..., 0")); NDArray b = split.get(new NDIndex("..., 1"));
                NDArray ac = a.mul(c); NDArray bs = b.mul(si); NDArray as = a.mul(si); NDArray bc = b.mul(c);
                NDArray ra = ac.sub(bs); NDArray rb = as.add(bc); NDArray stacked = NDArrays.stack(new ai.djl.ndarray.NDList(ra, rb), -1)) {
            return stacked.reshape(s);
        }
    }

    /** Row and column coordinates of the tokens of an {@code h x w} grid, row-major. */
    static float[][] tokenGrid(int h, int w) {
        float[] ys = new float[h * w];
        float[] xs = new float[h * w];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                ys[i * w + j] = i + 0.5f;
                xs[i * w + j] = j + 0.5f;
            }
        }
        return new float[][] {ys, xs};
    }

    /** Coordinates, in token units of an {@code h x w} grid, of the output pixels of rows {@code r0..r1-1} of an {@code outH x outW} map. */
    static float[][] pixelRows(int r0, int r1, int outH, int outW, int h, int w) {
        int n = (r1 - r0) * outW;
        float[] ys = new float[n];
        float[] xs = new float[n];
        for (int r = r0; r < r1; r++) {
            for (int c = 0; c < outW; c++) {
                int k = (r - r0) * outW + c;
                ys[k] = (r + 0.5f) * h / outH;
                xs[k] = (c + 0.5f) * w / outW;
            }
        }
        return new float[][] {ys, xs};
    }
}
