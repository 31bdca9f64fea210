package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.loupe.LoupeException;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.Conv2d;
import java.util.List;
import java.util.function.BinaryOperator;

/**
 * UPLiFT's Local Attender: every output feature is a softmax-weighted (convex) mix of a fixed neighbourhood of
 * low-resolution input features. A 1x1 conv on the high-resolution guide (plus the guide's first n channels, the
 * reference's {@code conv_res}) gives n logits per output pixel; output pixel {@code (I*y+i, I*x+j)} mixes
 * {@code value[y+dy, x+dx]} over the offsets, with the value map's borders replicated. No queries, no keys: the
 * cost is n multiply-adds per output element, linear in the number of pixels.
 *
 * <p>{@link #forward} is the differentiable form used in training: it accumulates over the offsets, one
 * output-sized term at a time, so it never holds the reference's {@code C x n x H x W} tensor. {@link #compile}
 * gives the inference form, a multithreaded kernel ({@link LocalAttenderKernel}) that streams channel blocks.
 */
public final class LocalAttender extends Module {
    public static final List<Integer> SIZES = List.of(5, 9, 13, 17, 25);

    private final Conv2d conv1;
    private final int[][] offsets;
    private final int padding;

    public LocalAttender(NDManager manager, int guideChannels, int neighbours) {
        super(manager);
        offsets = offsets(neighbours);
        padding = padding(neighbours);
        conv1 = child("conv1", new Conv2d(manager, guideChannels, neighbours, 1, true));
    }

    /** The neighbourhood offsets (dy, dx) in the reference's order, which is the order of the logits. */
    public static int[][] offsets(int neighbours) {
        return switch (neighbours) {
            // a plus sign
            case 5 -> new int[][] {{-1, 0}, {0, -1}, {0, 0}, {0, 1}, {1, 0}};
            // the 3x3 block
            case 9 -> new int[][] {{-1, -1}, {-1, 0}, {-1, 1}, {0, -1}, {0, 0}, {0, 1}, {1, -1}, {1, 0}, {1, 1}};
            // the 3x3 block and the four points two steps away on the axes
            case 13 -> new int[][] {{-2, 0}, {-1, -1}, {-1, 0}, {-1, 1}, {0, -2}, {0, -1}, {0, 0}, {0, 1}, {0, 2},
                {1, -1}, {1, 0}, {1, 1}, {2, 0}};
            // the 3x3 block and a ring of eight points at distance 2 (axes and diagonals): the released models
            case 17 -> new int[][] {{-2, -2}, {-2, 0}, {-2, 2}, {-1, -1}, {-1, 0}, {-1, 1}, {0, -2}, {0, -1}, {0, 0},
                {0, 1}, {0, 2}, {1, -1}, {1, 0}, {1, 1}, {2, -2}, {2, 0}, {2, 2}};
            // the full 5x5 block
            case 25 -> {
                int[][] all = new int[25][];
                for (int i = 0; i < 25; i++) all[i] = new int[] {i / 5 - 2, i % 5 - 2};
                yield all;
            }
            default -> throw new IllegalArgumentException("the Local Attender takes 5, 9, 13, 17 or 25 neighbours, not " + neighbours);
        };
    }

    /** Replication padding the offsets need. */
    static int padding(int neighbours) {
        return neighbours <= 9 ? 1 : 2;
    }

    public int neighbours() {
        return offsets.length;
    }

    /** Attention logits for the guide, {@code [B,n,H,W]}: 1x1 conv plus the guide's first n channels. */
    NDArray logits(NDArray guide) {
        return Ops.residualAuto(guide, conv1.forward(guide));
    }

    /** guide {@code [B,Cg,H,W]}, value {@code [B,C,h,w]} with H = I*h, W = I*w; result {@code [B,C,H,W]}. */
    public NDArray forward(NDArray guide, NDArray value) {
        int factor = factor(guide, value);
        try (NDArray logits = logits(guide); NDArray weights = logits.softmax(1)) {
            return mix(weights, value, offsets, padding, factor);
        }
    }

    /**
     * The differentiable weighted sums (the {@link LocalAttenderKernel}'s function, for training):
     * {@code out[c, I*y+i, I*x+j] = sum_k weights[k, I*y+i, I*x+j] * value[c, y+dy_k, x+dx_k]}, the value's borders
     * replicated by {@code padding}. It accumulates over the offsets one output-sized term at a time, so it never holds
     * a {@code C x n x H x W} tensor. weights {@code [B,n,I*h,I*w]}, value {@code [B,C,h,w]}; result {@code [B,C,I*h,I*w]}.
     */
    public static NDArray mix(NDArray weights, NDArray value, int[][] offsets, int padding, int factor) {
        long b = value.getShape().get(0);
        long c = value.getShape().get(1);
        int h = Ops.height(value);
        int w = Ops.width(value);
        NDArray cells = weights.reshape(b, offsets.length, h, factor, w, factor); // [B,n,h,I,w,I]
        NDArray padded = replicationPad(value, padding); // [B,C,h+2p,w+2p]
        NDArray sum = null;
        for (int k = 0; k < offsets.length; k++) {
            int y0 = padding + offsets[k][0];
            int x0 = padding + offsets[k][1];
            NDArray shifted = padded.get(new NDIndex(":, :, {}:{}, {}:{}", y0, y0 + h, x0, x0 + w)).reshape(b, c, h, 1, w, 1);
            NDArray wk = cells.get(new NDIndex(":, {}:{}", k, k + 1)); // [B,1,h,I,w,I]
            NDArray term = shifted.mul(wk); // [B,C,h,I,w,I]
            shifted.close();
            wk.close();
            sum = dev.loupe.tensor.Tensors.accumulate(sum, term);
        }
        padded.close();
        cells.close();
        return sum.reshape(b, c, (long) h * factor, (long) w * factor);
    }

    static int factor(NDArray guide, NDArray value) {
        int h = Ops.height(value);
        int w = Ops.width(value);
        int gh = Ops.height(guide);
        int gw = Ops.width(guide);
        int factor = gh / h;
        if (factor < 1 || factor * h != gh || factor * w != gw || guide.getShape().get(0) != value.getShape().get(0)) {
            throw new LoupeException("Local Attender: the guide " + guide.getShape() + " must be an integer multiple of the value "
                    + value.getShape() + " in both height and width, with the same batch");
        }
        return factor;
    }

    /** {@code nn.ReplicationPad2d(p)} by gathering clamped indices (differentiable). */
    public static NDArray replicationPad(NDArray x, int p) {
        NDManager m = x.getManager();
        int h = Ops.height(x);
        int w = Ops.width(x);
        long[] rows = new long[h + 2 * p];
        for (int i = 0; i < rows.length; i++) rows[i] = Math.min(Math.max(i - p, 0), h - 1);
        long[] cols = new long[w + 2 * p];
        for (int i = 0; i < cols.length; i++) cols[i] = Math.min(Math.max(i - p, 0), w - 1);
        try (NDArray r = dev.loupe.tensor.Tensors.of(m, rows); NDArray c = dev.loupe.tensor.Tensors.of(m, cols); NDArray tall = x.get(new NDIndex(":, :, {}", r))) {
            return tall.get(new NDIndex(":, :, :, {}", c));
        }
    }

    /** The inference form: logits by libtorch, the weighted sums by {@link LocalAttenderKernel}. */
    BinaryOperator<NDArray> compile(NDManager target) {
        NDArray weight = ConvBlock.snapshot(conv1.weight().array(), target);
        NDArray bias = ConvBlock.snapshot(conv1.bias().array(), target);
        return (guide, value) -> {
            int factor = factor(guide, value);
            NDArray probabilities;
            try (NDArray logits = Ops.conv(guide, weight, bias, 1, 0)) {
                Ops.addResidualInPlace(guide, logits);
                probabilities = logits.softmax(1); // [B,n,H,W]
            }
            try (probabilities) {
                return LocalAttenderKernel.apply(probabilities, value, offsets, padding, factor);
            }
        };
    }

    /** Multiply-accumulates for an output of {@code outH x outW} with {@code channels} value channels. */
    long macs(long outH, long outW, long channels) {
        return conv1.macs(outH, outW) + outH * outW * channels * offsets.length;
    }

}
