package dev.loupe.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.LoupeException;
import org.junit.jupiter.api.Test;

/** PixArt-α 1024's resolution and aspect-ratio conditions (diffusers' use_additional_conditions). */
class SizeConditionedTest {
    @Test
    void resolutionAndAspectRatioChangeTheOutputAndAreRequired() {
        PixArtConfig config = new PixArtConfig(2, 12, 4, 8, 2, 24, true, 8, 2, null, 1000, false, 1e-6, null, true, 10);
        try (NDManager nd = NDManager.newBaseManager()) {
            PixArtTransformer model = new PixArtTransformer(nd, config);
            assertTrue(model.stateDict().containsKey("adaln_single.emb.resolution_embedder.linear_1.weight"));
            assertEquals(new Shape(8, 8), model.stateDict().get("adaln_single.emb.aspect_ratio_embedder.linear_2.weight").getShape());
            NDArray latents = nd.randomNormal(new Shape(2, 4, 8, 8));
            NDArray captions = nd.randomNormal(new Shape(2, 3, 10));
            NDArray t = nd.create(new float[] {999, 999});
            SizeConditions square = new SizeConditions(nd.create(new float[] {1024, 1024, 1024, 1024}, new Shape(2, 2)),
                    nd.create(new float[] {1, 1}, new Shape(2, 1)));
            SizeConditions wide = new SizeConditions(nd.create(new float[] {768, 1344, 768, 1344}, new Shape(2, 2)),
                    nd.create(new float[] {0.57f, 0.57f}, new Shape(2, 1)));
            NDArray a = model.forward(latents, t, captions, null, square, null);
            NDArray b = model.forward(latents, t, captions, null, wide, null);
            assertEquals(new Shape(2, 8, 8, 8), a.getShape());
            assertFalse(a.allClose(b), "the size conditions must reach the output");
            LoupeException e = assertThrows(LoupeException.class, () -> model.forward(latents, t, captions, null));
            assertTrue(e.getMessage().contains("size-conditioned"), e.getMessage());
        }
    }
}
