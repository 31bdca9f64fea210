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
}
