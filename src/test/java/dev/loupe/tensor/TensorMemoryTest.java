package dev.loupe.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TensorMemoryTest {
    /** Element i holds i, written a line at a time in reverse order. */
    private static NDArray countingUp(NDManager nd, Shape shape, long viewFloats) {
        int width = (int) shape.get(shape.dimension() - 1);
        long lines = shape.size() / width;
        return TensorMemory.fill(nd, shape, out -> {
            for (long line = lines - 1; line >= 0; line--) {
                float[] values = new float[width];
                for (int x = 0; x < width; x++) values[x] = line * width + x;
                out.put(line * width, values, 0, width);
            }
        }, viewFloats);
    }

    @ParameterizedTest(name = "views of at most {0} floats")
    @ValueSource(longs = {1L << 28, 35, 7, 1})
    void writesLandInTheTensorInRowMajorOrderWhateverTheViews(long viewFloats) {
        try (NDManager nd = NDManager.newBaseManager()) {
            Shape shape = new Shape(2, 3, 5, 7);
            NDArray t = countingUp(nd, shape, viewFloats);
            assertEquals(shape, t.getShape());
            float[] expected = new float[(int) shape.size()];
            for (int i = 0; i < expected.length; i++) expected[i] = i;
            assertArrayEquals(expected, t.toFloatArray());
        }
    }

    @Test
    void partOfALineGoesWhereItIsPut() {
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray t = TensorMemory.fill(nd, new Shape(2, 4), out -> {
                out.put(0, new float[] {1, 2, 3, 4}, 0, 4);
                out.put(4, new float[] {9, 5, 6}, 1, 2);
                out.put(6, new float[] {7, 8}, 0, 2);
            }, 4);
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, t.toFloatArray());
        }
    }

    @Test
    void aWriteAcrossTwoLinesIsRefused() {
        try (NDManager nd = NDManager.newBaseManager()) {
            assertThrows(IndexOutOfBoundsException.class,
                    () -> TensorMemory.fill(nd, new Shape(2, 4), out -> out.put(2, new float[4], 0, 4)));
        }
    }
}
