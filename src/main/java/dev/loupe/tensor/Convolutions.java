package dev.loupe.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Every 2-D convolution in Loupe (NCHW, zero padding, square stride and padding): libtorch's own, the same call with
 * the channels padded to whole blocks of 16, or the same sum written as one matrix product per kernel tap.
 *
 * <p>Why: on an AMD EPYC (Zen 5) machine libtorch 2.7.1's CPU convolutions returned NaN from finite inputs and weights,
 * in some processes and not in others; UPLiFT's training then diverged at its first steps. oneDNN ran them
 * ({@code jit:avx512_core}) on channels laid out in blocks of 16, and every failing forward call had an input channel
 * count that is not a multiple of 16 (34 of 2,000 random shapes); backward calls failed for channel counts off the
 * blocks too, counts below 16 included (11 of 800). Presumably the lanes that fill the last block are not zeroed, and
 * NaN there times a zero weight is NaN. With every channel count padded by zeros to a multiple of 16 and the extra
 * outputs sliced off, the same random shapes gave no NaN forward (2,000 shapes, 40,000 calls) or backward (1,600
 * shapes, 16,000 calls). So:
 * <ul>
 *   <li>{@code padded} (the default on AMD processors): input and output channels padded to multiples of 16;</li>
 *   <li>{@code engine} (the default elsewhere): libtorch's convolution as called;</li>
 *   <li>{@code matmul}: the tap sum (for each of the k x k taps, the padded input shifted by the tap, strided, times
 *       the tap's [out, in] weights), differentiable and free of oneDNN; the tests use it, so the numbers they check do
 *       not depend on the machine.</li>
 * </ul>
 * The system property {@code loupe.conv} chooses one on any machine.
 */
public final class Convolutions {
    public enum Method { ENGINE, PADDED, MATMUL }

    /** oneDNN's channel block with AVX-512; the narrower instruction sets' blocks (8, 4) divide it. */
    static final int CHANNEL_BLOCK = 16;

    /** The method of this process: {@code loupe.conv} if set, else {@code padded} on AMD processors. */
    public static final Method METHOD = choose(System.getProperty("loupe.conv"), cpuInfo());

    private Convolutions() {}

    static Method choose(String property, String cpuInfo) {
        if (property != null && !property.isBlank()) {
            try {
                return Method.valueOf(property.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("loupe.conv must be engine, padded or matmul, not '" + property + "'", e);
            }
        }
        return cpuInfo.contains("AuthenticAMD") ? Method.PADDED : Method.ENGINE;
    }

    private static String cpuInfo() {
        try {
            return Files.readString(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** x {@code [B,C,H,W]}, weight {@code [O,C/groups,k,k]}, bias {@code [O]} or null. */
    public static NDArray conv2d(NDArray x, NDArray weight, NDArray bias, int stride, int padding, int groups) {
        if (groups == 1 && METHOD == Method.MATMUL) return tapSum(x, weight, bias, stride, padding);
        if (groups == 1 && METHOD == Method.PADDED) return channelPadded(x, weight, bias, stride, padding);
        return engine(x, weight, bias, stride, padding, groups);
    }

    private static NDArray engine(NDArray x, NDArray weight, NDArray bias, int stride, int padding, int groups) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight, bias, new Shape(stride, stride), new Shape(padding, padding),
                new Shape(1, 1), groups).singletonOrThrow();
    }

    /** libtorch's convolution on zero channels added up to whole blocks, with the added outputs sliced off. */
    static NDArray channelPadded(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
        checkChannels(x, weight);
        long c = x.getShape().get(1);
        long o = weight.getShape().get(0);
        long extraIn = wholeBlocks(c) - c;
        long extraOut = wholeBlocks(o) - o;
        if (extraIn == 0 && extraOut == 0) return engine(x, weight, bias, stride, padding, 1);
        // the padded weights and bias join the input's manager (the model's manager stays as it was) and are closed here
        NDManager scope = x.getManager();
        NDArray paddedX = extraIn == 0 ? x : x.pad(new Shape(0, 0, 0, 0, 0, extraIn), 0);
        NDArray paddedW = weight.pad(new Shape(0, 0, 0, 0, 0, extraIn, 0, extraOut), 0);
        paddedW.attach(scope);
        NDArray paddedB = bias == null || extraOut == 0 ? bias : bias.pad(new Shape(0, extraOut), 0);
        if (paddedB != bias) paddedB.attach(scope);
        NDArray y = engine(paddedX, paddedW, paddedB, stride, padding, 1);
        if (paddedX != x) paddedX.close();
        paddedW.close();
        if (paddedB != bias) paddedB.close();
        if (extraOut == 0) return y;
        NDArray kept = y.get(new NDIndex(":, :{}", o));
        y.close();
        return kept;
    }

    private static void checkChannels(NDArray x, NDArray weight) {
        if (weight.getShape().get(1) != x.getShape().get(1)) {
            throw new IllegalArgumentException("convolution: input " + x.getShape() + " and weight " + weight.getShape() + " disagree on channels");
        }
    }

    static long wholeBlocks(long channels) {
        return (channels + CHANNEL_BLOCK - 1) / CHANNEL_BLOCK * CHANNEL_BLOCK;
    }

    /** The convolution as a sum over the kernel's taps of [O,C] x [B,C,OH*OW] products. */
    static NDArray tapSum(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
        checkChannels(x, weight);
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        long o = weight.getShape().get(0);
        int kh = (int) weight.getShape().get(2);
        int kw = (int) weight.getShape().get(3);
        long outH = (h + 2L * padding - kh) / stride + 1;
        long outW = (w + 2L * padding - kw) / stride + 1;
        // every result joins the manager of its first operand: the weights' slices are moved into the input's, so
        // nothing computed here lands in the model's manager, and each temporary is closed once it has been used
        NDManager scope = x.getManager();
        NDArray padded = padding == 0 ? x : x.pad(new Shape(padding, padding, padding, padding), 0);
        NDArray sum = null;
        for (int u = 0; u < kh; u++) {
            for (int v = 0; v < kw; v++) {
                NDArray tap = weight.get(new NDIndex(":, :, {}, {}", u, v)); // [O,C]
                tap.attach(scope);
                NDArray window = padded.get(new NDIndex(":, :, {}:{}:{}, {}:{}:{}", u, u + (outH - 1) * stride + 1, stride,
                        v, v + (outW - 1) * stride + 1, stride));
                NDArray shifted = window.reshape(b, c, outH * outW);
                NDArray term = tap.matMul(shifted); // [B,O,OH*OW]
                tap.close();
                window.close();
                shifted.close();
                sum = Tensors.accumulate(sum, term);
            }
        }
        if (padded != x) padded.close();
        NDArray out = sum.reshape(b, o, outH, outW);
        sum.close();
        if (bias == null) return out;
        NDArray perChannel = bias.reshape(1, -1, 1, 1);
        perChannel.attach(scope);
        NDArray withBias = out.add(perChannel);
        out.close();
        perChannel.close();
        return withBias;
    }
}
