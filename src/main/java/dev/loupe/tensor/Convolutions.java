package dev.loupe.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Every 2-D convolution in Loupe (NCHW, zero padding, square stride and padding): libtorch's own, or the same sum
 * written as one matrix product per kernel tap.
 *
 * <p>Why: on an AMD EPYC (Zen 5) machine libtorch 2.7.1's CPU convolutions returned NaN for whole outputs from finite
 * inputs and weights, for some small shapes, in some processes and not in others (a [2,22,8,10] input and a 3x3 kernel:
 * 0 to 300 of 300 calls), whatever oneDNN's instruction-set limit, the thread count or its primitive cache; UPLiFT's
 * training then diverged at its first steps. Matrix products of the same sizes stayed finite. The tap sum (for each of
 * the k x k taps, the padded input shifted by the tap, strided, times the tap's [out, in] weights) is differentiable
 * and computes the same function within float rounding, but it took 5.5x libtorch's time for UPLiFT at 448 px. So:
 * <ul>
 *   <li>{@code checked} (the default on AMD processors): libtorch's convolution, and the tap sum in its place when
 *       libtorch returns NaN from finite input and weights;</li>
 *   <li>{@code engine} (the default elsewhere): libtorch's convolution alone;</li>
 *   <li>{@code matmul}: the tap sum always (the tests, so the numbers they check do not depend on the machine).</li>
 * </ul>
 * The system property {@code loupe.conv} chooses one on any machine.
 */
public final class Convolutions {
    public enum Method { ENGINE, CHECKED, MATMUL }

    /** The method of this process: {@code loupe.conv} if set, else {@code checked} on AMD processors. */
    public static final Method METHOD = choose(System.getProperty("loupe.conv"), cpuInfo());

    private Convolutions() {}

    static Method choose(String property, String cpuInfo) {
        if (property != null && !property.isBlank()) {
            try {
                return Method.valueOf(property.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("loupe.conv must be engine, checked or matmul, not '" + property + "'", e);
            }
        }
        return cpuInfo.contains("AuthenticAMD") ? Method.CHECKED : Method.ENGINE;
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
        if (METHOD == Method.MATMUL && groups == 1) return tapSum(x, weight, bias, stride, padding);
        NDArray y = ai.djl.nn.convolutional.Conv2d.conv2d(x, weight, bias, new Shape(stride, stride), new Shape(padding, padding),
                new Shape(1, 1), groups).singletonOrThrow();
        if (METHOD != Method.CHECKED || groups != 1) return y;
        return finiteOr(y, x, weight, bias, () -> tapSum(x, weight, bias, stride, padding));
    }

    /** {@code engineResult}, or the tap sum in its place when it holds NaN that the operands do not explain. */
    static NDArray finiteOr(NDArray engineResult, NDArray x, NDArray weight, NDArray bias, Supplier<NDArray> tapSum) {
        if (!hasNaN(engineResult) || hasNaN(x) || hasNaN(weight) || (bias != null && hasNaN(bias))) return engineResult;
        engineResult.close();
        return tapSum.get();
    }

    private static boolean hasNaN(NDArray a) {
        try (NDArray nan = a.isNaN(); NDArray any = nan.any()) {
            return any.getBoolean();
        }
    }

    /** The convolution as a sum over the kernel's taps of [O,C] x [B,C,OH*OW] products. */
    static NDArray tapSum(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        long o = weight.getShape().get(0);
        int kh = (int) weight.getShape().get(2);
        int kw = (int) weight.getShape().get(3);
        if (weight.getShape().get(1) != c) {
            throw new IllegalArgumentException("convolution: input " + s + " and weight " + weight.getShape() + " disagree on channels");
        }
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
