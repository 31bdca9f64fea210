package dev.loupe.upsample.uplift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The inference kernel computes the differentiable form's function, at every neighbourhood, factor and width. */
class LocalAttenderKernelTest {
    @Test
    void theTestsRunTheVectorForm() {
        // the build gives the tests the JVM switch that ./loupe and the installed app use
        assertTrue(LocalAttenderKernel.VECTORISED, "the JVM has no jdk.incubator.vector");
    }

    @ParameterizedTest
    @CsvSource({"17, 128", "17, 3", "9, 33", "25, 16", "5, 385"})
    void theVectorAndScalarSumsAgree(int neighbours, int channels) {
        Random random = new Random(neighbours * 1000L + channels);
        float[] values = new float[(neighbours + 3) * channels];
        for (int i = 0; i < values.length; i++) values[i] = (float) random.nextGaussian();
        float[] p = new float[neighbours];
        int[] valueAt = new int[neighbours];
        for (int k = 0; k < neighbours; k++) {
            p[k] = random.nextFloat();
            valueAt[k] = random.nextInt(values.length - channels + 1); // any offset, aligned or not
        }
        float[] scalar = new float[channels + 7];
        float[] vector = new float[channels + 7];
        LocalAttenderKernel.weightedSum(scalar, 7, p, values, valueAt, channels);
        VectorWeightedSum.weightedSum(vector, 7, p, values, valueAt, channels);
        assertArrayEquals(scalar, vector, 1e-5f);
    }

    @ParameterizedTest
    @CsvSource({"5, 1, 3, 4, 7", "9, 2, 16, 5, 3", "13, 2, 33, 6, 6", "17, 2, 128, 7, 9", "17, 4, 20, 3, 5", "25, 3, 17, 4, 4",
        "17, 2, 8, 40, 3"})
    void matchesTheDifferentiableMix(int neighbours, int factor, int channels, int h, int w) {
        try (NDManager m = NDManager.newBaseManager()) {
            int[][] offsets = LocalAttender.offsets(neighbours);
            int pad = LocalAttender.padding(neighbours);
            NDArray value = m.randomNormal(new Shape(2, channels, h, w));
            NDArray weights = m.randomNormal(new Shape(2, neighbours, h * factor, w * factor)).softmax(1);
            NDArray expected = LocalAttender.mix(weights, value, offsets, pad, factor);
            NDArray actual = LocalAttenderKernel.apply(weights, value, offsets, pad, factor);
            assertEquals(expected.getShape(), actual.getShape());
            assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), 1e-5f);
            // in bands of 1, 3 and 5 output rows: each band reads only the value rows and weights it needs
            for (int rows : new int[] {1, 3, 5}) {
                NDArray banded = LocalAttenderKernel.apply(weights, value, offsets, pad, factor, (long) rows * channels * w * factor);
                assertArrayEquals(expected.toFloatArray(), banded.toFloatArray(), 1e-5f, rows + "-row bands");
            }
        }
    }
}
