package dev.loupe.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.loupe.tensor.Parameter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The transformer trains: gradients reach every weight through the forward pass's own scope. */
class PixArtTrainingTest {
    @Test
    void gradientsReachEveryTrainableWeight() {
        PixArtConfig config = PixArtConfig.of(2, 8, 2, 3, 3, 8, 2, 12);
        try (NDManager nd = NDManager.newBaseManager()) {
            PixArtTransformer model = new PixArtTransformer(nd, config);
            model.train(true);
            NDArray images = nd.randomNormal(new Shape(2, 3, 8, 8));
            NDArray captions = nd.randomNormal(new Shape(2, 5, 12));
            NDArray mask = nd.create(new float[] {1, 1, 1, 0, 0, 1, 1, 1, 1, 1}, new Shape(2, 5));
            NDArray t = nd.create(new float[] {10, 900});
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray out = model.forward(images, t, captions, mask);
                assertEquals(images.getShape(), out.getShape());
                collector.backward(out.sub(images).square().mean());
            }
            Map<String, Parameter> params = model.trainableParameters();
            assertEquals(model.stateDict().size(), params.size(), "every tensor of PixArt is a trained weight");
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                float g = e.getValue().array().getGradient().abs().sum().getFloat();
                assertTrue(g > 0 && Float.isFinite(g), e.getKey() + " gets no gradient");
            }
        }
    }
}
