package dev.loupe.upsample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class UpsamplersTest {
    @Test
    void nearestRepeatsPatchesAndBilinearInterpolates() {
        try (NDManager m = NDManager.newBaseManager(); Upsampler near = new NearestUpsampler(); Upsampler bil = new BilinearUpsampler()) {
            NDArray image = m.zeros(new Shape(1, 3, 4, 4));
            NDArray f = m.create(new float[] {0, 1, 2, 3}, new Shape(1, 1, 2, 2));
            assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3}, near.upsample(image, f, 4, 4).toFloatArray());
            NDArray b = bil.upsample(image, f, 4, 4);
            assertEquals(new Shape(1, 1, 4, 4), b.getShape());
            assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1}, b.get("0, 0, 0").toFloatArray(), 1e-6f);
            assertEquals(0, near.parameterCount() + bil.parameterCount());
            assertEquals("nearest", near.name());
            assertEquals("bilinear", bil.name());
        }
    }
}
