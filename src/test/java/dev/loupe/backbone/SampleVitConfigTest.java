package dev.loupe.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SampleVitConfigTest {
    static final SampleVitConfig MIXED = new SampleVitConfig(16, 32, 1, 2, 64, 9, 64, List.of(8, 8, 16), 2);

    @Test
    void tokenConvolutionsRoundTripAndOldCardsReadAsNone() {
        assertEquals(MIXED, SampleVitConfig.fromJson(MIXED.toJson(), "card"));
        JsonObject old = SampleVitConfigTest.MIXED.toJson();
        old.remove("token_convs");
        assertEquals(0, SampleVitConfig.fromJson(old, "card").tokenConvs());
        assertThrows(LoupeException.class, () -> new SampleVitConfig(16, 32, 1, 2, 64, 9, 64, List.of(8, 8, 16), -1));
    }

    @Test
    void tokenConvolutionsAreResidualAndNamedMix() {
        try (NDManager m = NDManager.newBaseManager()) {
            SampleVit mixed = new SampleVit(m, MIXED);
            assertTrue(mixed.stateDict().containsKey("patch_embed.mix.1.weight"));
            assertFalse(new SampleVit(m, new SampleVitConfig(16, 32, 1, 2, 64, 9, 64, List.of(8, 8, 16))).stateDict().keySet().stream()
                    .anyMatch(k -> k.contains(".mix.")));
            // zero token convolutions leave the stem's tokens as they are: the same weights give the same features
            for (NDArray w : mixed.stateDict().entrySet().stream().filter(e -> e.getKey().contains(".mix.")).map(e -> e.getValue()).toList()) {
                w.subi(w);
            }
            SampleVit plain = new SampleVit(m, new SampleVitConfig(16, 32, 1, 2, 64, 9, 64, List.of(8, 8, 16)));
            plain.stateDict().forEach((k, v) -> v.set(mixed.stateDict().get(k).toFloatArray()));
            NDArray image = m.randomUniform(0, 1, new Shape(1, 3, 64, 64));
            assertTrue(mixed.features(image).allClose(plain.features(image), 1e-6, 1e-6, false));
        }
    }
}
