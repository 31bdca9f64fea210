package dev.loupe.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The tap sum against a convolution written out in plain Java loops. */
class ConvolutionsTest {
    @ParameterizedTest
    @CsvSource({"2,22,8,10,16,3,1,1", "1,3,9,7,5,3,2,1", "2,5,6,6,4,1,1,0", "1,4,8,8,6,2,2,0", "2,3,7,9,2,4,1,3", "1,6,5,5,3,3,1,0"})
    void tapSumIsTheConvolution(int b, int c, int h, int w, int o, int k, int stride, int padding) {
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
            NDArray out = Convolutions.tapSum(m.create(x, new Shape(b, c, h, w)), m.create(wt, new Shape(o, c, k, k)),
                    m.create(bias), stride, padding);
            assertEquals(new Shape(b, o, outH, outW), out.getShape());
            assertArrayEquals(expected, out.toFloatArray(), 1e-4f);
        }
    }

    @Test
    void aNaNResultFromFiniteOperandsIsReplacedByTheTapSum() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(1, 2, 3, 3));
            NDArray w = m.ones(new Shape(1, 2, 1, 1));
            NDArray replacement = m.full(new Shape(1, 1, 3, 3), 2f);
            NDArray broken = m.full(new Shape(1, 1, 3, 3), Float.NaN);
            assertSame(replacement, Convolutions.finiteOr(broken, x, w, null, () -> replacement));
            NDArray fine = m.full(new Shape(1, 1, 3, 3), 2f);
            assertSame(fine, Convolutions.finiteOr(fine, x, w, null, () -> { throw new AssertionError("not needed"); }));
            NDArray nanInput = m.full(new Shape(1, 2, 3, 3), Float.NaN);
            NDArray explained = m.full(new Shape(1, 1, 3, 3), Float.NaN);
            assertSame(explained, Convolutions.finiteOr(explained, nanInput, w, null, () -> { throw new AssertionError("NaN in, NaN out"); }));
        }
    }

    @Test
    void theMethodFollowsThePropertyThenTheProcessor() {
        assertEquals(Convolutions.Method.ENGINE, Convolutions.choose("engine", "vendor_id\t: AuthenticAMD"));
        assertEquals(Convolutions.Method.MATMUL, Convolutions.choose(" MatMul ", "vendor_id\t: GenuineIntel"));
        assertEquals(Convolutions.Method.CHECKED, Convolutions.choose("checked", "vendor_id\t: GenuineIntel"));
        assertEquals(Convolutions.Method.CHECKED, Convolutions.choose(null, "vendor_id\t: AuthenticAMD"));
        assertEquals(Convolutions.Method.ENGINE, Convolutions.choose(null, "vendor_id\t: GenuineIntel"));
        assertEquals(Convolutions.Method.ENGINE, Convolutions.choose("", ""));
        assertThrows(IllegalArgumentException.class, () -> Convolutions.choose("fast", ""));
    }

    @Test
    void testsRunTheTapSum() {
        assertEquals(Convolutions.Method.MATMUL, Convolutions.METHOD, "Surefire passes -Dloupe.conv=matmul");
    }
}
