package dev.loupe.upsample.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.upsample.UpsamplerKind;
import dev.loupe.upsample.uplift.Uplift;
import dev.loupe.upsample.uplift.UpliftConfig;
import dev.loupe.upsample.uplift.UpliftUpsampler;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The peers' inference forms against their differentiable forms, and the properties their designs promise. */
class PeerModelsTest {
    static float maxDiff(NDArray a, NDArray b) {
        assertEquals(b.getShape(), a.getShape());
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void jbuStagesHalveBackFromTheOutput() {
        assertEquals(List.of(32, 64, 128, 256), JointBilateral.stageSizes(16, 256));
        assertEquals(List.of(112, 224, 448, 896), JointBilateral.stageSizes(64, 896));
        assertEquals(List.of(2), JointBilateral.stageSizes(1, 2));
        assertEquals(List.of(8), JointBilateral.stageSizes(8, 8));
    }

    @Test
    void jbuInferenceEqualsTheDifferentiableStagesAndMixesConvexly() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            JointBilateral jbu = new JointBilateral(m, new JbuConfig(6, 8, 8, 4, 2, 1.5));
            NDArray image = m.randomUniform(0, 1, new Shape(1, 3, 32, 24));
            NDArray features = m.randomNormal(new Shape(1, 6, 4, 3));
            List<NDArray> steps = jbu.forwardSteps(image, features, 3);
            assertEquals(new Shape(1, 6, 32, 24), steps.get(2).getShape());
            NDArray fast = jbu.upsample(image, features, 32, 24);
            assertTrue(maxDiff(fast, steps.get(2)) < 1e-4f);
            // a convex mix of a constant map is that constant
            NDArray constant = m.full(new Shape(1, 6, 4, 3), 0.7f);
            NDArray out = jbu.upsample(image, constant, 20, 17);
            assertEquals(new Shape(1, 6, 20, 17), out.getShape());
            assertTrue(out.sub(0.7f).abs().max().getFloat() < 1e-5f);
        }
    }

    @Test
    void crossAttentionChunksGiveTheSameOutputAndMixConvexly() {
        Engine.getInstance().setRandomSeed(4);
        try (NDManager m = NDManager.newBaseManager()) {
            CrossAttention x = new CrossAttention(m, new XattnConfig(6, 8, 8, 1, 16, 2));
            NDArray image = m.randomUniform(0, 1, new Shape(1, 3, 24, 32));
            NDArray features = m.randomNormal(new Shape(1, 6, 3, 4));
            NDArray trained = x.forwardSteps(image, features, 2).get(1);
            x.chunkBytes(Long.MAX_VALUE);
            NDArray whole = x.upsample(image, features, 12, 16);
            x.chunkBytes(1); // one output row at a time
            NDArray rows = x.upsample(image, features, 12, 16);
            assertTrue(maxDiff(whole, trained) < 1e-4f);
            assertTrue(maxDiff(rows, whole) < 1e-5f);
            NDArray dense = x.upsample(image, features, 24, 32); // any size, here pixel-dense
            assertEquals(new Shape(1, 6, 24, 32), dense.getShape());
            NDArray constant = m.full(new Shape(1, 6, 3, 4), -1.5f);
            assertTrue(x.upsample(image, constant, 7, 9).add(1.5f).abs().max().getFloat() < 1e-5f);
        }
    }

    @Test
    void liftStyleIsUpliftWithoutItsAttender() {
        Engine.getInstance().setRandomSeed(5);
        UpliftConfig uplift = UpsamplerKind.upliftConfig(16, 8);
        UpliftConfig lift = LiftStyle.config(uplift);
        assertEquals(-1, lift.uplift().attender());
        assertEquals(uplift.uplift().encoder(), lift.uplift().encoder());
        try (NDManager m = NDManager.newBaseManager()) {
            Uplift model = new Uplift(m, lift);
            assertNull(model.stateDict().keySet().stream().filter(k -> k.startsWith("attender")).findAny().orElse(null));
            assertTrue(model.stateDict().containsKey("decoder.outc.weight"));
            NDArray image = m.randomUniform(0, 1, new Shape(1, 3, 32, 32));
            NDArray features = m.randomNormal(new Shape(1, 16, 4, 4));
            NDArray slow = model.forwardSteps(image, features, 2).get(1);
            try (UpliftUpsampler fast = new UpliftUpsampler(model, "lift")) {
                assertTrue(maxDiff(fast.upsample(image, features, 16, 16), slow) < 1e-4f);
            }
        }
    }
}
