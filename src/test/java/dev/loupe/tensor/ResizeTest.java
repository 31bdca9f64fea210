package dev.loupe.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every mode against PyTorch's own outputs. */
class ResizeTest {
    private static NDManager m;
    private static Map<String, NDArray> ref;

    @BeforeAll
    static void load() {
        m = NDManager.newBaseManager();
        ref = TorchOps.read(m);
    }

    @AfterAll
    static void close() {
        m.close();
    }

    private static void near(NDArray actual, String key) {
        float d = TorchOps.maxAbsDiff(actual, ref.get(key));
        assertTrue(d < 1e-5f, key + ": max abs diff " + d);
    }

    @ParameterizedTest
    @ValueSource(strings = {"14x20", "5x4", "7x10", "16x9"})
    void interpolateModesMatchPyTorch(String size) {
        int h = Integer.parseInt(size.split("x")[0]);
        int w = Integer.parseInt(size.split("x")[1]);
        NDArray x = ref.get("x");
        near(Resize.nearest(x, h, w), "nearest." + size);
        near(Resize.bilinear(x, h, w, false), "bilinear." + size);
        near(Resize.bilinear(x, h, w, true), "bilinear_ac." + size);
        near(Resize.bicubic(x, h, w, false), "bicubic." + size);
        near(Resize.bicubic(x, h, w, true), "bicubic_ac." + size);
    }

    @ParameterizedTest
    @ValueSource(strings = {"16x24", "8x12", "11x17", "32x48"})
    void antialiasedDownscaleMatchesPyTorch(String size) {
        int h = Integer.parseInt(size.split("x")[0]);
        int w = Integer.parseInt(size.split("x")[1]);
        near(Resize.antialiased(ref.get("big"), h, w, Resize.Filter.BILINEAR), "aa_bilinear." + size);
        near(Resize.torchvisionBilinear(ref.get("big"), h, w), "aa_bilinear." + size);
    }

    @ParameterizedTest
    @ValueSource(strings = {"NEAREST", "BILINEAR", "BICUBIC"})
    void withoutGradientsTheJavaPassGivesTheGathersNumbers(String name) {
        Resize.Mode mode = Resize.Mode.valueOf(name);
        try (NDManager nd = m.newSubManager()) {
            for (Shape shape : new Shape[] {new Shape(2, 3, 7, 9), new Shape(5, 6), new Shape(2, 1, 3, 4, 4)}) {
                NDArray x = nd.randomNormal(shape);
                for (boolean corners : new boolean[] {false, true}) {
                    for (int[] size : new int[][] {{14, 18}, {28, 36}, {3, 2}, {7, 9}}) {
                        NDArray fast = Resize.resize(x, size[0], size[1], mode, corners);
                        NDArray reference;
                        try (GradientCollector recording = Engine.getInstance().newGradientCollector()) {
                            reference = Resize.resize(x, size[0], size[1], mode, corners); // the differentiable path
                        }
                        assertEquals(reference.getShape(), fast.getShape());
                        assertArrayEquals(reference.toFloatArray(), fast.toFloatArray(), name + " " + corners + " " + shape + " to " + size[0] + "x" + size[1]);
                    }
                }
                NDArray aa = Resize.antialiased(x, 3, 4, Resize.Filter.AREA);
                try (GradientCollector recording = Engine.getInstance().newGradientCollector()) {
                    assertArrayEquals(Resize.antialiased(x, 3, 4, Resize.Filter.AREA).toFloatArray(), aa.toFloatArray());
                }
            }
        }
    }

    @Test
    void areaFilterAveragesWholeCells() {
        near(Resize.antialiased(ref.get("big"), 8, 12, Resize.Filter.AREA), "area.8x12");
    }

    @Test
    void torchvisionBilinearGrowsLikePlainBilinear() {
        NDArray x = ref.get("x");
        near(Resize.torchvisionBilinear(x, 14, 20), "bilinear.14x20");
    }

    @Test
    void gradientsFlowThroughAResize() {
        try (NDManager s = m.newSubManager();
                ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            NDArray x = s.ones(new Shape(1, 1, 2, 2));
            x.setRequiresGradient(true);
            NDArray y = Resize.bilinear(x, 4, 4, true).sum();
            gc.backward(y);
            // align_corners=True from 2 to 4 spreads each output over the corners with weights summing to 4 per input
            assertArrayEquals(new float[] {4, 4, 4, 4}, x.getGradient().toFloatArray(), 1e-5f);
        }
        // through an intermediate result too (DJL reports requires_grad false for those)
        try (NDManager s = m.newSubManager();
                ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            NDArray x = s.ones(new Shape(1, 1, 2, 2));
            x.setRequiresGradient(true);
            gc.backward(Resize.bilinear(x.mul(2f), 4, 4, true).sum());
            assertArrayEquals(new float[] {8, 8, 8, 8}, x.getGradient().toFloatArray(), 1e-5f);
        }
    }
}
