package dev.loupe.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.nn.ConvTranspose2d;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Both formulations of the transposed convolution against its definition, written as loops. */
class ConvTranspose2dTest {
    @ParameterizedTest
    @CsvSource({"2, 2", "3, 2", "3, 1", "4, 2"})
    void matchesTheDefinition(int kernel, int stride) {
        try (NDManager m = NDManager.newBaseManager()) {
            int in = 3;
            int out = 2;
            int h = 3;
            int w = 4;
            ConvTranspose2d t = new ConvTranspose2d(m, in, out, kernel, stride, true);
            NDArray x = m.randomNormal(new Shape(1, in, h, w));
            float[] xv = x.toFloatArray();
            float[] wv = t.weight().array().toFloatArray(); // [in,out,k,k]
            float[] bv = t.stateDict().get("bias").toFloatArray();
            int oh = (h - 1) * stride + kernel;
            int ow = (w - 1) * stride + kernel;
            float[] expected = new float[out * oh * ow];
            for (int o = 0; o < out; o++) for (int i = 0; i < oh * ow; i++) expected[o * oh * ow + i] = bv[o];
            for (int c = 0; c < in; c++) for (int y = 0; y < h; y++) for (int xx = 0; xx < w; xx++) for (int o = 0; o < out; o++)
                for (int ky = 0; ky < kernel; ky++) for (int kx = 0; kx < kernel; kx++) {
                    expected[(o * oh + y * stride + ky) * ow + xx * stride + kx] +=
                            xv[(c * h + y) * w + xx] * wv[((c * out + o) * kernel + ky) * kernel + kx];
                }
            NDArray y = t.forward(x);
            assertArrayEquals(new long[] {1, out, oh, ow}, y.getShape().getShape());
            assertArrayEquals(expected, y.toFloatArray(), 1e-5f);
        }
    }
}
