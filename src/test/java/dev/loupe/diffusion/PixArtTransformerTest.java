package dev.loupe.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.CacheState;
import dev.loupe.tensor.SafeTensors;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PixArtTransformerTest {
    @ParameterizedTest
    @ValueSource(strings = {"nocache", "fora2", "mixed"})
    void cachedStepsMatchDiffusersAndEcad(String name) throws Exception {
        try (NDManager nd = NDManager.newBaseManager()) {
            PixArtTransformer model = PixArtTransformer.load(nd, PixArtFixture.config(), PixArtFixture.weights());
            Map<String, NDArray> io = SafeTensors.read(PixArtFixture.io(), nd);
            CacheSchedule schedule = PixArtFixture.schedule(PixArtFixture.scheduleJson(name));
            try (CacheState cache = new CacheState(schedule, nd)) {
                for (int s = 0; s < PixArtFixture.STEPS; s++) {
                    NDArray out = model.forward(io.get("step" + s + ".latents"), io.get("timesteps").get(s),
                            io.get("encoder_hidden_states"), io.get("encoder_attention_mask"), cache);
                    NDArray expected = io.get(name + ".step" + s + ".out");
                    assertEquals(expected.getShape(), out.getShape());
                    float diff = out.sub(expected).abs().max().getFloat();
                    System.out.printf("%s step %d: max |diff| %.3g%n", name, s, diff);
                    assertTrue(diff < 1e-4, name + " step " + s + ": max abs diff " + diff);
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void theTappedStepComputesTheSameOutputAndHandsOutTheTokensAfterABlock() throws Exception {
        try (NDManager nd = NDManager.newBaseManager()) {
            PixArtTransformer model = PixArtTransformer.load(nd, PixArtFixture.config(), PixArtFixture.weights());
            Map<String, NDArray> io = SafeTensors.read(PixArtFixture.io(), nd);
            NDArray latents = io.get("step0.latents");
            NDArray t = io.get("timesteps").get(0);
            NDArray captions = io.get("encoder_hidden_states");
            NDArray mask = io.get("encoder_attention_mask");
            NDArray plain = model.forward(latents, t, captions, mask);
            PixArtTransformer.Tapped tapped = model.forwardTapped(latents, t, captions, mask, 1);
            assertEquals(0f, tapped.output().sub(plain).abs().max().getFloat());
            int p = model.config().patchSize();
            long tokens = latents.getShape().get(2) / p * (latents.getShape().get(3) / p);
            assertEquals(new ai.djl.ndarray.types.Shape(latents.getShape().get(0), tokens, model.config().innerDim()), tapped.tokens().getShape());
            // tokens after one block differ from those after all of them
            NDArray last = model.forwardTapped(latents, t, captions, mask, model.blocks().size()).tokens();
            assertTrue(last.sub(tapped.tokens()).abs().max().getFloat() > 0 || model.blocks().size() == 1);
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> model.forwardTapped(latents, t, captions, mask, model.blocks().size() + 1));
        }
    }
}
