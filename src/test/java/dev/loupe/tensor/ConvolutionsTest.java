package dev.loupe.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The tap sum and the channel-padded convolution against a convolution written out in plain Java loops, and each other. */
class ConvolutionsTest {
    @ParameterizedTest
    @CsvSource({"2,22,8,10,16,3,1,1", "1,3,9,7,5,3,2,1", "2,5,6,6,4,1,1,0", "1,4,8,8,6,2,2,0", "2,3,7,9,2,4,1,3", "1,6,5,5,3,3,1,0", "1,37,6,7,20,3,2,1"})
    void tapSumAndChannelPaddingAreTheConvolution(int b, int c, int h, int w, int o, int k, int stride, int padding) {
        SplittableRandom random = new SplittableRandom(b * 1000L + c * 100 + k * 10 + stride);
        float[] x = new float[b * c * h * w];
        float[] wt = new float[o * c * k * k];
        float[] bias = new float[o];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextDouble(-1, 1);
        for (int i = 0; i < wt.length; i++) wt[i] = (float) random.nextDouble(-1, 1);
        for (int i = 0; i < bias.length; i++) bias[i] = (float) random.nextDouble(-1, 1);
        int outH = (h + 2 * padding - k) / stride + 1;
        int outW = (w + 2 * padding - k) / stride + 1;
        float[] expected = new float[b * o * outH * outW];
        for (int n = 0; n < b; n++) {
            for (int oc = 0; oc < o; oc++) {
                for (int i = 0; i < outH; i++) {
                    for (int j = 0; j < outW; j++) {
                        double sum = bias[oc];
                        for (int ic = 0; ic < c; ic++) {
                            for (int u = 0; u < k; u++) {
                                for (int v = 0; v < k; v++) {
                                    int y = i * stride + u - padding;
                                    int z = j * stride + v - padding;
                                    if (y < 0 || y >= h || z < 0 || z >= w) continue;
                                    sum += (double) wt[((oc * c + ic) * k + u) * k + v] * x[((n * c + ic) * h + y) * w + z];
                                }
                            }
                        }
                        expected[((n * o + oc) * outH + i) * outW + j] = (float) sum;
                    }
                }
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray input = m.create(x, new Shape(b, c, h, w));
            NDArray weight = m.create(wt, new Shape(o, c, k, k));
            NDArray tapSum = Convolutions.tapSum(input, weight, m.create(bias), stride, padding);
            assertEquals(new Shape(b, o, outH, outW), tapSum.getShape());
            assertArrayEquals(expected, tapSum.toFloatArray(), 1e-4f);
            NDArray channelPadded = Convolutions.channelPadded(input, weight, m.create(bias), stride, padding);
            assertEquals(new Shape(b, o, outH, outW), channelPadded.getShape());
            assertArrayEquals(expected, channelPadded.toFloatArray(), 1e-4f);
            assertArrayEquals(expected, Convolutions.channelPadded(input, weight, null, stride, padding).add(
                    m.create(bias).reshape(1, o, 1, 1)).toFloatArray(), 1e-4f);
        }
    }

    @Test
    void channelPaddingKeepsTheGradientsOfTheTapSum() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(3);
            NDArray x = m.randomNormal(new Shape(2, 21, 7, 9));
            NDArray w = m.randomNormal(new Shape(11, 21, 3, 3));
            NDArray bias = m.randomNormal(new Shape(11));
            NDArray target = m.randomNormal(new Shape(2, 11, 4, 5));
            float[][] viaTapSum = gradients(x, w, bias, target, 2, 1, Convolutions::tapSum);
            float[][] viaPadding = gradients(x, w, bias, target, 2, 1, Convolutions::channelPadded);
            for (int i = 0; i < 3; i++) assertArrayEquals(viaTapSum[i], viaPadding[i], 1e-3f, "gradient " + i);
        }
    }

    @Test
    void paddedConvolutionsStayFiniteForwardAndBackward() {
        // the shapes where oneDNN failed on an AMD EPYC machine: channel counts off the blocks of 16, small batches
        SplittableRandom random = new SplittableRandom(11);
        try (NDManager m = NDManager.newBaseManager()) {
            for (int trial = 0; trial < 150; trial++) {
                int b = 1 + random.nextInt(4);
                int c = 1 + random.nextInt(70);
                int o = 1 + random.nextInt(70);
                int k = new int[] {1, 2, 3, 3, 4, 5}[random.nextInt(6)];
                int stride = 1 + random.nextInt(2);
                int padding = random.nextInt(k);
                String shape = "b" + b + " c" + c + " o" + o + " k" + k + " s" + stride + " p" + padding;
                try (NDManager scope = m.newSubManager()) {
                    NDArray x = scope.randomNormal(new Shape(b, c, 6 + random.nextInt(24), 6 + random.nextInt(24)));
                    NDArray w = scope.randomNormal(new Shape(o, c, k, k));
                    NDArray target = Convolutions.tapSum(x, w, null, stride, padding);
                    for (int call = 0; call < 3; call++) {
                        float[][] grads = gradients(x, w, null, target, stride, padding, Convolutions::channelPadded);
                        for (float[] g : grads) {
                            for (float v : g) assertTrue(Float.isFinite(v), "non-finite gradient for " + shape);
                        }
                    }
                }
            }
        }
    }

    @Test
    void channelPaddingLeavesNothingInTheWeightsManager() {
        try (NDManager model = NDManager.newBaseManager(); NDManager work = NDManager.newBaseManager()) {
            NDArray w = model.ones(new Shape(5, 7, 3, 3));
            NDArray bias = model.ones(new Shape(5));
            int before = ((BaseNDManager) model).getManagedArrays().size();
            NDArray y = Convolutions.channelPadded(work.ones(new Shape(1, 7, 6, 6)), w, bias, 1, 1);
            assertEquals(new Shape(1, 5, 6, 6), y.getShape());
            assertEquals(before, ((BaseNDManager) model).getManagedArrays().size());
        }
    }

    private interface Convolution {
        NDArray apply(NDArray x, NDArray weight, NDArray bias, int stride, int padding);
    }

    /** d(mean squared error to target)/d(x, weight[, bias]) through one convolution. */
    private static float[][] gradients(NDArray x, NDArray w, NDArray bias, NDArray target, int stride, int padding, Convolution conv) {
        NDArray[] params = bias == null ? new NDArray[] {x.duplicate(), w.duplicate()} : new NDArray[] {x.duplicate(), w.duplicate(), bias.duplicate()};
        for (NDArray p : params) p.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray y = conv.apply(params[0], params[1], bias == null ? null : params[2], stride, padding);
            collector.backward(y.sub(target).square().mean());
        }
        float[][] grads = new float[params.length][];
        for (int i = 0; i < params.length; i++) grads[i] = params[i].getGradient().toFloatArray();
        return grads;
    }

    @Test
    void theMethodFollowsThePropertyThenTheProcessor() {
        assertEquals(Convolutions.Method.ENGINE, Convolutions.choose("engine", "vendor_id\t: AuthenticAMD"));
        assertEquals(Convolutions.Method.MATMUL, Convolutions.choose(" MatMul ", "vendor_id\t: GenuineIntel"));
        assertEquals(Convolutions.Method.PADDED, Convolutions.choose("padded", "vendor_id\t: GenuineIntel"));
        assertEquals(Convolutions.Method.PADDED, Convolutions.choose(null, "vendor_id\t: AuthenticAMD"));
        assertEquals(Convolutions.Method.ENGINE, Convolutions.choose(null, "vendor_id\t: GenuineIntel"));
        assertEquals(Convolutions.Method.ENGINE, Convolutions.choose("", ""));
        assertThrows(IllegalArgumentException.class, () -> Convolutions.choose("fast", ""));
    }

    @Test
    void testsRunTheTapSum() {
        assertEquals(Convolutions.Method.MATMUL, Convolutions.METHOD, "Surefire passes -Dloupe.conv=matmul");
    }
}
