package dev.loupe.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.LoupeException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class PixArtConfigTest {
    /** PixArt-alpha/PixArt-XL-2-512x512's transformer config as published (an old Transformer2DModel file with EMA keys). */
    private static final String ALPHA_512 = """
            {"_class_name": "Transformer2DModel", "_diffusers_version": "0.26.0", "activation_fn": "gelu-approximate",
             "attention_bias": true, "attention_head_dim": 72, "attention_type": "default", "caption_channels": 4096,
             "cross_attention_dim": 1152, "decay": 0.9999, "double_self_attention": false, "dropout": 0.0,
             "in_channels": 4, "norm_elementwise_affine": false, "norm_eps": 1e-06, "norm_num_groups": 32,
             "norm_type": "ada_norm_single", "num_attention_heads": 16, "num_embeds_ada_norm": 1000, "num_layers": 28,
             "num_vector_embeds": null, "only_cross_attention": false, "out_channels": 8, "patch_size": 2,
             "sample_size": 64, "upcast_attention": false, "use_linear_projection": false}""";

    @Test
    void readsAPublishedConfigWithDiffusersRules() {
        PixArtConfig c = PixArtConfig.parse(ALPHA_512, "config.json");
        assertEquals(PixArtConfig.builtIn("pixart-alpha-512").orElseThrow(), c);
        assertEquals(1152, c.innerDim());
        assertEquals(1.0, c.effectiveInterpolationScale());
        assertFalse(c.sizeConditioned());
        PixArtConfig alpha1024 = PixArtConfig.parse(ALPHA_512.replace("\"sample_size\": 64", "\"sample_size\": 128"), "c");
        assertEquals(2.0, alpha1024.effectiveInterpolationScale());
        assertTrue(alpha1024.sizeConditioned(), "PixArt-α 1024 embeds resolution and aspect ratio");
        PixArtConfig sigma1024 = PixArtConfig.parse(ALPHA_512.replace("\"sample_size\": 64",
                "\"sample_size\": 128, \"interpolation_scale\": 2, \"use_additional_conditions\": false"), "c");
        assertFalse(sigma1024.sizeConditioned());
    }

    @Test
    void theBuiltIn256IsPixArtXl2At32x32Latents() {
        PixArtConfig c = PixArtConfig.pixartAlpha256();
        assertEquals(28, c.numLayers());
        assertEquals(16, c.numAttentionHeads());
        assertEquals(72, c.attentionHeadDim());
        assertEquals(32, c.sampleSize());
        assertEquals(4, c.inChannels());
        assertEquals(8, c.effectiveOutChannels());
        assertEquals(2, c.patchSize());
        assertEquals(4096, c.captionChannels());
        assertEquals(1.0, c.effectiveInterpolationScale());
    }

    @Test
    void aSmallPixelSpaceModelIsTheSameArchitectureAtAnotherSize() {
        PixArtConfig c = PixArtConfig.of(6, 64, 8, 3, 3, 32, 2, 256);
        assertEquals(384, c.innerDim());
        assertEquals(384, c.crossAttentionDim());
        assertEquals(3, c.effectiveOutChannels());
        assertFalse(c.sizeConditioned());
        assertEquals(1.0, c.effectiveInterpolationScale());
        assertEquals(c, PixArtConfig.parse(c.toJson().toString(), "c"));
    }

    @Test
    void aWrapperObjectWithConfigIsRead() {
        PixArtConfig c = PixArtConfig.parse("{\"seed\": 1, \"config\": " + ALPHA_512 + "}", "meta.json");
        assertEquals(64, c.sampleSize());
    }

    @Test
    void nullOutChannelsMeansInChannels() {
        PixArtConfig c = PixArtConfig.parse(ALPHA_512.replace("\"out_channels\": 8", "\"out_channels\": null"), "c");
        assertNull(c.outChannels());
        assertEquals(4, c.effectiveOutChannels());
    }

    @Test
    void otherModelsAndBadValuesGetOneNamedMessage() {
        assertMessage("{\"_class_name\": \"UNet2DConditionModel\"}", "c.json describes a UNet2DConditionModel");
        assertMessage(ALPHA_512.replace("ada_norm_single", "ada_norm_zero"), "norm_type ada_norm_zero");
        assertMessage(ALPHA_512.replace("\"num_layers\": 28", "\"num_layers\": \"many\""), "num_layers must be a number");
        assertMessage(ALPHA_512.replace("\"num_layers\": 28", "\"num_layers\": 2.5"), "num_layers must be a whole number");
        assertMessage(ALPHA_512.replace("\"num_layers\": 28", "\"num_layers\": 0"), "num_layers must be positive");
        assertMessage(ALPHA_512.replace("\"cross_attention_dim\": 1152", "\"cross_attention_dim\": 1024"), "cross_attention_dim 1024");
        assertMessage(ALPHA_512.replace("gelu-approximate", "geglu"), "activation_fn geglu");
        assertMessage("[1, 2]", "c.json is not a JSON object");
        assertMessage("{\"num_layers\": ", "c.json is not valid JSON");
    }

    private static void assertMessage(String json, String expected) {
        LoupeException e = assertThrows(LoupeException.class, () -> PixArtConfig.parse(json, "c.json"));
        assertTrue(e.getMessage().startsWith("c.json") && e.getMessage().contains(expected), e.getMessage());
    }

    @Property(tries = 60)
    void anyValidConfigSurvivesItsJson(@ForAll("configs") PixArtConfig c) {
        assertEquals(c, PixArtConfig.parse(c.toJson().toString(), "c"));
    }

    @Provide
    Arbitrary<PixArtConfig> configs() {
        Arbitrary<int[]> shape = Combinators.combine(Arbitraries.integers().between(1, 8), Arbitraries.integers().between(1, 24),
                Arbitraries.integers().between(1, 40), Arbitraries.integers().between(1, 4)).as((h, d, layers, p) -> new int[] {h, 4 * d, layers, p});
        Arbitrary<Integer> caption = Arbitraries.integers().between(1, 5000).injectNull(0.3);
        Arbitrary<Double> scale = Arbitraries.doubles().between(0.25, 4).injectNull(0.5);
        Arbitrary<Boolean> extra = Arbitraries.of(Boolean.TRUE, Boolean.FALSE).injectNull(0.5);
        return Combinators.combine(shape, caption, scale, extra, Arbitraries.integers().between(1, 16),
                Arbitraries.of("gelu", "gelu-approximate")).as((s, cap, sc, ex, grid, act) -> {
                    int inner = s[0] * s[1];
                    boolean sizes = Boolean.TRUE.equals(ex) && inner % 3 == 0;
                    return new PixArtConfig(s[0], s[1], 4, 8, s[2], cap == null ? 77 : inner, true, grid * s[3], s[3], act,
                            1000, false, 1e-6, sc, sizes ? Boolean.TRUE : (ex == null ? null : Boolean.FALSE), cap);
                });
    }
}
