package dev.loupe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import org.junit.jupiter.api.Test;

/** The engine loads and computes with the offline switches that every JVM of the project starts with. */
class EngineOfflineTest {
    @Test
    void offlineSwitchesAreSetBeforeDjlLoads() {
        assertTrue(Offline.isEnforced(), "Surefire must pass -Dai.djl.offline=true and OPT_OUT_TRACKING");
    }

    @Test
    void pytorchEngineComputesMatmulAndConv() {
        assertEquals("PyTorch", Engine.getInstance().getEngineName());
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray a = nd.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            NDArray b = nd.create(new float[] {5, 6, 7, 8}, new Shape(2, 2));
            assertArrayEquals(new float[] {19, 22, 43, 50}, a.matMul(b).toFloatArray(), 1e-6f);

            // A 3x3 image convolved with a 2x2 kernel of ones sums each 2x2 window.
            NDArray image = nd.arange(9f).reshape(1, 1, 3, 3);
            NDArray kernel = nd.ones(new Shape(1, 1, 2, 2));
            NDArray out = Conv2d.conv2d(image, kernel).singletonOrThrow();
            assertArrayEquals(new float[] {8, 12, 20, 24}, out.toFloatArray(), 1e-6f);
        }
    }
}
