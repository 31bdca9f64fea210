package dev.loupe.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.stream.IntStream;

/**
 * Spatial resizing of NCHW (or any ...HW) tensors with PyTorch's exact index arithmetic, so that models ported
 * from PyTorch compute the same function: {@code F.interpolate} modes {@code nearest}, {@code bilinear} and
 * {@code bicubic} (with either {@code align_corners}), and the antialiased downscale of torchvision/PIL
 * ({@code antialias=True}) with a triangle (bilinear) or box (area) filter, which is what training pyramids want.
 *
 * <p>Every mode is separable: each axis is resampled by gathering K source rows per output row and mixing them
 * with fixed weights ({@link Taps}), so the cost is K passes over the output, never a dense interpolation matrix.
 * Results are new arrays in the input's manager; gradients flow through them. An input that needs no gradient is
 * resampled by the same taps in plain Java, in one pass (same numbers, bit for bit), when libtorch records no
 * gradients.
 */
public final class Resize {
    private Resize() {}

    /** Resampling filters. */
    public enum Mode { NEAREST, BILINEAR, BICUBIC }

    /** Filters for antialiased downscaling. */
    public enum Filter {
        /** The triangle filter of torchvision's bilinear resize with {@code antialias=True}. */
        BILINEAR,
        /** A box filter: plain averaging of the covered pixels (PIL's BOX; {@code area} for integer factors). */
        AREA
    }

    /** {@code F.interpolate(x, size, mode="nearest")}: source index {@code floor(dst * in / out)}. */
    public static NDArray nearest(NDArray x, int height, int width) {
        return resize(x, height, width, Mode.NEAREST, false);
    }

    /** {@code F.interpolate(x, size, mode="bilinear", align_corners=...)}, no antialiasing. */
    public static NDArray bilinear(NDArray x, int height, int width, boolean alignCorners) {
        return resize(x, height, width, Mode.BILINEAR, alignCorners);
    }

    /** {@code F.interpolate(x, size, mode="bicubic", align_corners=...)} (a = -0.75, borders replicated). */
    public static NDArray bicubic(NDArray x, int height, int width, boolean alignCorners) {
        return resize(x, height, width, Mode.BICUBIC, alignCorners);
    }

    public static NDArray resize(NDArray x, int height, int width, Mode mode, boolean alignCorners) {
        checkSize(x, height, width);
        long inH = x.getShape().get(x.getShape().dimension() - 2);
        long inW = x.getShape().get(x.getShape().dimension() - 1);
        Taps rows = Taps.of(mode, (int) inH, height, alignCorners);
        Taps cols = Taps.of(mode, (int) inW, width, alignCorners);
        return apply(x, rows, cols);
    }

    /**
     * Antialiased resize as torchvision's {@code resize(..., antialias=True)} and PIL: when shrinking, the filter
     * is stretched over every source pixel an output pixel covers. When growing it equals the plain filter.
     */
    public static NDArray antialiased(NDArray x, int height, int width, Filter filter) {
        checkSize(x, height, width);
        long inH = x.getShape().get(x.getShape().dimension() - 2);
        long inW = x.getShape().get(x.getShape().dimension() - 1);
        return apply(x, Taps.antialiased(filter, (int) inH, height), Taps.antialiased(filter, (int) inW, width));
    }

    /**
     * torchvision's {@code TF.resize} on a tensor with its current default ({@code antialias=True}): bilinear,
     * antialiased when shrinking. Growing is plain bilinear with {@code align_corners=False}.
     */
    public static NDArray torchvisionBilinear(NDArray x, int height, int width) {
        checkSize(x, height, width);
        long inH = x.getShape().get(x.getShape().dimension() - 2);
        long inW = x.getShape().get(x.getShape().dimension() - 1);
        // Per axis: growing uses the plain bilinear taps (bit-exact with F.interpolate), shrinking the antialiased ones.
        Taps rows = height >= inH ? Taps.of(Mode.BILINEAR, (int) inH, height, false) : Taps.antialiased(Filter.BILINEAR, (int) inH, height);
        Taps cols = width >= inW ? Taps.of(Mode.BILINEAR, (int) inW, width, false) : Taps.antialiased(Filter.BILINEAR, (int) inW, width);
        return apply(x, rows, cols);
    }

    private static void checkSize(NDArray x, int height, int width) {
        if (x.getShape().dimension() < 2) {
            throw new IllegalArgumentException("resize needs at least 2 dimensions, got " + x.getShape());
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("resize target must be positive, got " + height + "x" + width);
        }
    }

    private static NDArray apply(NDArray x, Taps rows, Taps cols) {
        if (x.getDataType() == DataType.FLOAT32 && outsideGradientRecording(x)) return separable(x, rows, cols);
        return gathered(x, rows, cols);
    }

    /**
     * Whether no gradient can be asked of this resize: libtorch is not recording (outside a gradient collector, on
     * this thread). A tensor's own flag is no guide: DJL reports {@code requires_grad} false for intermediate results
     * that are part of the recorded graph.
     */
    private static boolean outsideGradientRecording(NDArray x) {
        return x instanceof PtNDArray && !JniUtils.isGradMode();
    }

    /** The differentiable form: K gathers, products and sums per axis, all engine operations. */
    static NDArray gathered(NDArray x, Taps rows, Taps cols) {
        int dims = x.getShape().dimension();
        try (NDManager scratch = x.getManager().newSubManager()) {
            NDArray tmp = along(x, dims - 1, cols, scratch);
            NDArray out = along(tmp, dims - 2, rows, scratch);
            out.attach(x.getManager());
            return out;
        }
    }

    /** Floats of input per block of planes in {@link #separable} (4 MB: the heap copy adds little to peak memory). */
    private static final long BLOCK_FLOATS = 1L << 20;

    /**
     * Without gradient recording (inference, training pyramids), the same taps in plain Java: each plane is resampled
     * along its rows into a small buffer and then down its columns, one pass over the output instead of the gathers'
     * K gathers, products and sums per axis, each a pass through memory (they were a fifth of UPLiFT's time at
     * 448 px). Planes are read in blocks and written in place into the output tensor ({@link TensorMemory}), so the heap
     * never holds the output.
     */
    private static NDArray separable(NDArray x, Taps rows, Taps cols) {
        Shape shape = x.getShape();
        int dims = shape.dimension();
        long inPlane = (long) rows.in * cols.in;
        long planes = shape.size() / inPlane;
        int block = (int) Math.max(1, Math.min(planes, BLOCK_FLOATS / inPlane));
        long[] outShape = shape.getShape().clone();
        outShape[dims - 2] = rows.out;
        outShape[dims - 1] = cols.out;
        NDArray out;
        try (NDArray flat = x.reshape(planes, rows.in, cols.in)) {
            out = TensorMemory.fill(x.getManager(), new Shape(planes, rows.out, cols.out), lines -> {
                for (long p0 = 0; p0 < planes; p0 += block) {
                    long p1 = Math.min(planes, p0 + block);
                    float[] source;
                    try (NDArray part = flat.get(new NDIndex("{}:{}", p0, p1))) {
                        source = part.toFloatArray();
                    }
                    long first = p0;
                    IntStream.range(0, (int) (p1 - p0)).parallel().forEach(p -> plane(source, p, first + p, rows, cols, lines));
                }
            });
        }
        try (out) {
            return out.reshape(outShape);
        }
    }

    /**
     * Plane {@code p} of {@code source}: along its rows (every source row), then down its columns, into plane
     * {@code target} of {@code out}.
     */
    private static void plane(float[] source, int p, long target, Taps rows, Taps cols, TensorMemory.Lines out) {
        int inW = cols.in;
        int outW = cols.out;
        int base = p * rows.in * inW;
        float[] wide = new float[rows.in * outW];
        for (int y = 0; y < rows.in; y++) {
            int row = base + y * inW;
            int to = y * outW;
            for (int o = 0; o < outW; o++) {
                float sum = 0;
                for (int t = 0; t < cols.k; t++) {
                    int at = o * cols.k + t;
                    sum += cols.weight[at] * source[row + (int) cols.index[at]];
                }
                wide[to + o] = sum;
            }
        }
        float[] line = new float[outW];
        long outBase = target * rows.out * outW;
        for (int o = 0; o < rows.out; o++) {
            java.util.Arrays.fill(line, 0f);
            for (int t = 0; t < rows.k; t++) {
                int at = o * rows.k + t;
                float w = rows.weight[at];
                if (w == 0f) continue;
                int from = (int) rows.index[at] * outW;
                for (int i = 0; i < outW; i++) line[i] += w * wide[from + i];
            }
            out.put(outBase + (long) o * outW, line, 0, outW);
        }
    }

    /**
     * Resamples one axis: sum over taps of (gathered source slices x weight), in {@code scratch}. Each tap's
     * temporaries are released as soon as they are summed, so a large image needs about three copies of the output at
     * once, not three per tap.
     */
    private static NDArray along(NDArray x, int axis, Taps taps, NDManager scratch) {
        int dims = x.getShape().dimension();
        if (taps.isIdentity()) return x;
        String prefix = ":, ".repeat(axis);
        NDArray sum = null;
        long[] weightShape = new long[dims - axis];
        java.util.Arrays.fill(weightShape, 1);
        weightShape[0] = taps.out;
        for (int t = 0; t < taps.k; t++) {
            try (NDArray index = Tensors.of(scratch, taps.index(t))) {
                NDArray term = x.get(new NDIndex(prefix + "{}", index));
                term.attach(scratch);
                if (!taps.allOnes(t)) {
                    try (NDArray w = Tensors.of(scratch, taps.weight(t), new Shape(weightShape)); NDArray gathered = term) {
                        term = gathered.mul(w);
                    }
                }
                if (sum == null) {
                    sum = term;
                } else {
                    sum.addi(term);
                    term.close();
                }
            }
        }
        return sum;
    }

    /**
     * For one axis: for every output position, K source indices and weights (zero weight on unused taps).
     * Index arithmetic follows ATen's {@code UpSample.h} in single precision, as PyTorch does for float input.
     */
    static final class Taps {
        final int in;
        final int out;
        final int k;
        final long[] index; // [out * k]
        final float[] weight; // [out * k]

        private Taps(int in, int out, int k) {
            this.in = in;
            this.out = out;
            this.k = k;
            this.index = new long[out * k];
            this.weight = new float[out * k];
        }

        long[] index(int t) {
            long[] r = new long[out];
            for (int o = 0; o < out; o++) r[o] = index[o * k + t];
            return r;
        }

        float[] weight(int t) {
            float[] r = new float[out];
            for (int o = 0; o < out; o++) r[o] = weight[o * k + t];
            return r;
        }

        boolean allOnes(int t) {
            for (int o = 0; o < out; o++) if (weight[o * k + t] != 1f) return false;
            return true;
        }

        boolean isIdentity() {
            if (in != out) return false;
            for (int o = 0; o < out; o++) {
                for (int t = 0; t < k; t++) {
                    float w = weight[o * k + t];
                    if (w != 0f && (index[o * k + t] != o || w != 1f)) return false;
                }
            }
            return true;
        }

        static Taps of(Mode mode, int in, int out, boolean alignCorners) {
            return switch (mode) {
                case NEAREST -> nearest(in, out);
                case BILINEAR -> linear(in, out, alignCorners);
                case BICUBIC -> cubic(in, out, alignCorners);
            };
        }

        private static Taps nearest(int in, int out) {
            Taps t = new Taps(in, out, 1);
            float scale = (float) in / out;
            for (int o = 0; o < out; o++) {
                t.index[o] = Math.min((long) Math.floor(o * scale), in - 1);
                t.weight[o] = 1f;
            }
            return t;
        }

        private static float sourceIndex(float scale, int dst, boolean alignCorners, boolean cubic) {
            if (alignCorners) return scale * dst;
            float src = scale * (dst + 0.5f) - 0.5f;
            return (!cubic && src < 0) ? 0f : src;
        }

        private static float scale(int in, int out, boolean alignCorners) {
            if (alignCorners) return out > 1 ? (float) (in - 1) / (out - 1) : 0f;
            return (float) in / out;
        }

        private static Taps linear(int in, int out, boolean alignCorners) {
            Taps t = new Taps(in, out, 2);
            float scale = scale(in, out, alignCorners);
            for (int o = 0; o < out; o++) {
                float src = sourceIndex(scale, o, alignCorners, false);
                int i0 = (int) src;
                int i1 = i0 + (i0 < in - 1 ? 1 : 0);
                float l1 = src - i0;
                t.index[2 * o] = i0;
                t.index[2 * o + 1] = i1;
                t.weight[2 * o] = 1f - l1;
                t.weight[2 * o + 1] = l1;
            }
            return t;
        }

        private static final float CUBIC_A = -0.75f;

        private static float cubic1(float x) {
            return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
        }

        private static float cubic2(float x) {
            return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;
        }

        private static Taps cubic(int in, int out, boolean alignCorners) {
            Taps t = new Taps(in, out, 4);
            float scale = scale(in, out, alignCorners);
            for (int o = 0; o < out; o++) {
                float src = sourceIndex(scale, o, alignCorners, true);
                int i = (int) Math.floor(src);
                float f = src - i;
                float[] w = {cubic2(f + 1), cubic1(f), cubic1(1 - f), cubic2(2 - f)};
                for (int j = 0; j < 4; j++) {
                    t.index[4 * o + j] = Math.min(Math.max(i - 1 + j, 0), in - 1);
                    t.weight[4 * o + j] = w[j];
                }
            }
            return t;
        }

        /** ATen's {@code _upsample_bilinear2d_aa} / PIL's resampling weights (align_corners=False). */
        static Taps antialiased(Filter filter, int in, int out) {
            double scale = (double) in / out;
            double filterSupport = filter == Filter.BILINEAR ? 1.0 : 0.5;
            double support = scale >= 1.0 ? filterSupport * scale : filterSupport;
            double invScale = scale >= 1.0 ? 1.0 / scale : 1.0;
            int k = (int) Math.ceil(support) * 2 + 1;
            Taps t = new Taps(in, out, k);
            for (int o = 0; o < out; o++) {
                double center = scale * (o + 0.5);
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xsize = Math.min((int) (center + support + 0.5), in) - xmin;
                double total = 0;
                double[] w = new double[k];
                for (int j = 0; j < Math.min(xsize, k); j++) {
                    double arg = (j + xmin - center + 0.5) * invScale;
                    w[j] = filter == Filter.BILINEAR ? Math.max(0, 1 - Math.abs(arg)) : (arg >= -0.5 && arg < 0.5 ? 1 : 0);
                    total += w[j];
                }
                for (int j = 0; j < k; j++) {
                    t.index[o * k + j] = Math.min(xmin + j, in - 1);
                    t.weight[o * k + j] = j < xsize && total != 0 ? (float) (w[j] / total) : 0f;
                }
            }
            return t;
        }
    }
}
