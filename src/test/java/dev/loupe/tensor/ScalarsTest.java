package dev.loupe.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.loupe.tensor.nn.Activations;
import java.nio.ByteBuffer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Constant factors survive until the backward pass: DJL frees the Java buffer behind {@code x.mul(0.5f)} right after
 * the call, and a garbage collection before {@code backward} used to turn gradients into garbage.
 */
class ScalarsTest {
    /** Reclaims unreachable direct buffers and reuses their memory, as a long training run does between steps. */
    private static void collectAndReuseFreedBuffers() {
        for (int round = 0; round < 10; round++) {
            System.gc();
            ByteBuffer[] junk = new ByteBuffer[2000];
            for (int i = 0; i < junk.length; i++) {
                junk[i] = ByteBuffer.allocateDirect(4);
                junk[i].putFloat(0, 99f);
            }
        }
    }

    private static float[] gradientAfterCollection(UnaryOperator<NDArray> f, float[] at) {
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray x = Tensors.of(nd, at, new Shape(at.length));
            x.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray y;
                try (NDManager scope = nd.newSubManager()) { // a forward pass's scope, closed before backward
                    x.tempAttach(scope);
                    y = f.apply(x).sum();
                    y.attach(nd);
                }
                collectAndReuseFreedBuffers();
                collector.backward(y);
            }
            return x.getGradient().toFloatArray();
        }
    }

    @Test
    void aScalarsFactorIsStillThereForTheBackwardPass() {
        float[] g = gradientAfterCollection(x -> x.mul(Scalars.of(x.getManager(), 0.125f)), new float[] {1, 2, 3});
        assertArrayEquals(new float[] {0.125f, 0.125f, 0.125f}, g);
    }

    @Test
    void tanhGeluGradientsSurviveACollection() {
        float[] at = {-2f, -0.5f, 0f, 0.7f, 3f};
        float[] g = gradientAfterCollection(Activations::geluTanh, at);
        double c = Math.sqrt(2 / Math.PI);
        float[] expected = new float[at.length];
        for (int i = 0; i < at.length; i++) {
            double x = at[i];
            double z = c * (x + 0.044715 * x * x * x);
            double t = Math.tanh(z);
            expected[i] = (float) (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x));
        }
        assertArrayEquals(expected, g, 1e-5f);
    }
}
