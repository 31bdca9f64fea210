package dev.loupe.diffusion;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.loupe.LoupeException;
import dev.loupe.diffusion.cache.DitDimensions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The configuration of diffusers' {@code PixArtTransformer2DModel}, under its {@code config.json} names. Values a
 * file leaves out take diffusers' defaults (v0.30.3), so a real checkpoint's config reads as diffusers reads it.
 *
 * @param outChannels            null means "as many as {@code inChannels}"
 * @param interpolationScale     null means diffusers' rule {@code max(sample_size / 64, 1)}
 * @param useAdditionalConditions null means diffusers' rule "only for sample_size 128" (PixArt-α 1024's
 *                               resolution and aspect-ratio embeddings)
 * @param captionChannels        width of the caption embeddings before {@code caption_projection}; null means no
 *                               projection (captions come in at {@code cross_attention_dim})
 */
public record PixArtConfig(
        int numAttentionHeads,
        int attentionHeadDim,
        int inChannels,
        Integer outChannels,
        int numLayers,
        int crossAttentionDim,
        boolean attentionBias,
        int sampleSize,
        int patchSize,
        String activationFn,
        int numEmbedsAdaNorm,
        boolean normElementwiseAffine,
        double normEps,
        Double interpolationScale,
        Boolean useAdditionalConditions,
        Integer captionChannels) {

    /** The built-in architectures, by the names the CLI accepts. */
    public static final List<String> BUILT_IN = List.of("pixart-alpha-256", "pixart-alpha-512", "pixart-alpha-1024");

    public PixArtConfig {
        activationFn = activationFn == null ? "gelu-approximate" : activationFn;
        positive("num_attention_heads", numAttentionHeads);
        positive("attention_head_dim", attentionHeadDim);
        positive("in_channels", inChannels);
        if (outChannels != null) positive("out_channels", outChannels);
        positive("num_layers", numLayers);
        positive("cross_attention_dim", crossAttentionDim);
        positive("sample_size", sampleSize);
        positive("patch_size", patchSize);
        if (captionChannels != null) positive("caption_channels", captionChannels);
        if (!activationFn.equals("gelu-approximate") && !activationFn.equals("gelu")) {
            throw new IllegalArgumentException("activation_fn " + activationFn + " is not PixArt's (gelu-approximate or gelu)");
        }
        int inner = numAttentionHeads * attentionHeadDim;
        if (inner % 4 != 0) {
            throw new IllegalArgumentException("the 2-D sin-cos positions need num_attention_heads x attention_head_dim = "
                    + inner + " to be a multiple of 4");
        }
        if (captionChannels != null && crossAttentionDim != inner) {
            throw new IllegalArgumentException("cross_attention_dim " + crossAttentionDim + " must equal the inner width "
                    + inner + " (the caption projection maps captions to it)");
        }
        if (sampleSize % patchSize != 0) {
            throw new IllegalArgumentException("sample_size " + sampleSize + " is not a multiple of patch_size " + patchSize);
        }
        if (interpolationScale != null && !(interpolationScale > 0)) {
            throw new IllegalArgumentException("interpolation_scale must be positive, not " + interpolationScale);
        }
        if (Boolean.TRUE.equals(useAdditionalConditions) && inner % 3 != 0) {
            throw new IllegalArgumentException("resolution and aspect-ratio conditions need the inner width " + inner
                    + " to be a multiple of 3");
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) throw new IllegalArgumentException(name + " must be positive, not " + value);
    }

    /** The transformer width, {@code num_attention_heads x attention_head_dim} (diffusers' {@code inner_dim}). */
    public int innerDim() {
        return numAttentionHeads * attentionHeadDim;
    }

    public int effectiveOutChannels() {
        return outChannels == null ? inChannels : outChannels;
    }

    /** The scale of the sin-cos positions: the configured one, else diffusers' {@code max(sample_size // 64, 1)}. */
    public double effectiveInterpolationScale() {
        return interpolationScale != null ? interpolationScale : Math.max(sampleSize / 64, 1);
    }

    /** Whether adaLN-single also embeds the image resolution and aspect ratio (PixArt-α 1024). */
    public boolean sizeConditioned() {
        return useAdditionalConditions != null ? useAdditionalConditions : sampleSize == 128;
    }

    /** The feed-forward hidden width (diffusers' default multiplier 4). */
    public int ffInnerDim() {
        return 4 * innerDim();
    }

    /** The shapes the cost model needs. */
    public DitDimensions dimensions() {
        return new DitDimensions(numLayers, numAttentionHeads, attentionHeadDim, ffInnerDim(), inChannels,
                effectiveOutChannels(), patchSize, sampleSize, crossAttentionDim,
                captionChannels == null ? 0 : captionChannels, sizeConditioned());
    }

    /**
     * A PixArt-architecture transformer of any size with diffusers' defaults for the rest (attention bias, tanh
     * GELU, eps 1e-6, no size conditions): for example a small pixel-space model, {@code of(6, 64, 8, 3, 3, 32, 2,
     * 256)} for 32x32 RGB in and out, 8 blocks of width 384, captions of width 256 from its own prompt encoder.
     */
    public static PixArtConfig of(int heads, int headDim, int layers, int inChannels, int outChannels, int sampleSize,
            int patchSize, int captionChannels) {
        return new PixArtConfig(heads, headDim, inChannels, outChannels, layers, heads * headDim, true, sampleSize,
                patchSize, "gelu-approximate", 1000, false, 1e-6, null, false, captionChannels);
    }

    /** PixArt-XL-2 (28 blocks, 16 heads x 72) at a latent size of {@code sampleSize} (32, 64 or 128). */
    public static PixArtConfig pixartXl2(int sampleSize) {
        return new PixArtConfig(16, 72, 4, 8, 28, 1152, true, sampleSize, 2, "gelu-approximate", 1000, false, 1e-6,
                null, null, 4096);
    }

    /** PixArt-α 256x256 (PixArt-alpha/PixArt-XL-2-256x256): 32x32x4 latents, the model ECAD searched. */
    public static PixArtConfig pixartAlpha256() {
        return pixartXl2(32);
    }

    /** A built-in architecture by name ({@link #BUILT_IN}). */
    public static Optional<PixArtConfig> builtIn(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "pixart-alpha-256" -> Optional.of(pixartXl2(32));
            case "pixart-alpha-512" -> Optional.of(pixartXl2(64));
            case "pixart-alpha-1024" -> Optional.of(pixartXl2(128));
            default -> Optional.empty();
        };
    }

    /** Reads a diffusers {@code config.json}, or any JSON object that holds one under {@code config}. */
    public static PixArtConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new LoupeException(file + ": no such file");
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        return parse(text, file.toString());
    }

    public static PixArtConfig parse(String json, String source) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new LoupeException(source + " is not valid JSON (" + e.getMessage() + ")");
        }
        if (root == null || !root.isJsonObject()) throw new LoupeException(source + " is not a JSON object");
        return fromJson(root.getAsJsonObject(), source);
    }

    public static PixArtConfig fromJson(JsonObject o, String source) {
        if (!o.has("num_attention_heads") && o.has("config") && o.get("config").isJsonObject()) {
            o = o.getAsJsonObject("config");
        }
        String className = string(o, "_class_name", source, null);
        if (className != null && !className.equals("PixArtTransformer2DModel") && !className.equals("Transformer2DModel")) {
            throw new LoupeException(source + " describes a " + className + ", not a PixArtTransformer2DModel");
        }
        String normType = string(o, "norm_type", source, "ada_norm_single");
        if (!normType.equals("ada_norm_single")) {
            throw new LoupeException(source + ": norm_type " + normType + " is not PixArt's (ada_norm_single)");
        }
        String attentionType = string(o, "attention_type", source, "default");
        if (!attentionType.equals("default")) {
            throw new LoupeException(source + ": attention_type " + attentionType + " is not supported (only default)");
        }
        try {
            return new PixArtConfig(
                    integer(o, "num_attention_heads", source, 16),
                    integer(o, "attention_head_dim", source, 72),
                    integer(o, "in_channels", source, 4),
                    optionalInteger(o, "out_channels", source, 8),
                    integer(o, "num_layers", source, 28),
                    integer(o, "cross_attention_dim", source, 1152),
                    bool(o, "attention_bias", source, true),
                    integer(o, "sample_size", source, 128),
                    integer(o, "patch_size", source, 2),
                    string(o, "activation_fn", source, "gelu-approximate"),
                    integer(o, "num_embeds_ada_norm", source, 1000),
                    bool(o, "norm_elementwise_affine", source, false),
                    number(o, "norm_eps", source, 1e-6),
                    o.has("interpolation_scale") && !o.get("interpolation_scale").isJsonNull()
                            ? number(o, "interpolation_scale", source, 1) : null,
                    o.has("use_additional_conditions") && !o.get("use_additional_conditions").isJsonNull()
                            ? bool(o, "use_additional_conditions", source, false) : null,
                    optionalInteger(o, "caption_channels", source, null));
        } catch (IllegalArgumentException e) {
            throw new LoupeException(source + ": " + e.getMessage());
        }
    }

    /** The config as diffusers writes it (keys it does not use are left out). */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("_class_name", "PixArtTransformer2DModel");
        o.addProperty("num_attention_heads", numAttentionHeads);
        o.addProperty("attention_head_dim", attentionHeadDim);
        o.addProperty("in_channels", inChannels);
        o.addProperty("out_channels", outChannels);
        o.addProperty("num_layers", numLayers);
        o.addProperty("cross_attention_dim", crossAttentionDim);
        o.addProperty("attention_bias", attentionBias);
        o.addProperty("sample_size", sampleSize);
        o.addProperty("patch_size", patchSize);
        o.addProperty("activation_fn", activationFn);
        o.addProperty("num_embeds_ada_norm", numEmbedsAdaNorm);
        o.addProperty("norm_type", "ada_norm_single");
        o.addProperty("norm_elementwise_affine", normElementwiseAffine);
        o.addProperty("norm_eps", normEps);
        o.addProperty("interpolation_scale", interpolationScale);
        o.addProperty("use_additional_conditions", useAdditionalConditions);
        o.addProperty("caption_channels", captionChannels);
        o.addProperty("attention_type", "default");
        return o;
    }

    private static JsonElement present(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e;
    }

    static int integer(JsonObject o, String key, String source, int fallback) {
        Integer v = optionalInteger(o, key, source, fallback);
        return v == null ? fallback : v;
    }

    private static Integer optionalInteger(JsonObject o, String key, String source, Integer fallback) {
        if (!o.has(key)) return fallback;
        JsonElement e = present(o, key);
        if (e == null) return null;
        double d = number(o, key, source, 0);
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new LoupeException(source + ": " + key + " must be a whole number, not " + e);
        }
        return (int) d;
    }

    static double number(JsonObject o, String key, String source, double fallback) {
        return value(o, key, source, fallback, JsonPrimitive::isNumber, "a number", JsonElement::getAsDouble);
    }

    private static boolean bool(JsonObject o, String key, String source, boolean fallback) {
        return value(o, key, source, fallback, JsonPrimitive::isBoolean, "true or false", JsonElement::getAsBoolean);
    }

    private static String string(JsonObject o, String key, String source, String fallback) {
        return value(o, key, source, fallback, JsonPrimitive::isString, "a string", JsonElement::getAsString);
    }

    /** The value under {@code key}, {@code fallback} when absent or null, a named error when of another kind. */
    private static <T> T value(JsonObject o, String key, String source, T fallback, Predicate<JsonPrimitive> kind,
            String expected, Function<JsonElement, T> read) {
        JsonElement e = present(o, key);
        if (e == null) return fallback;
        if (!e.isJsonPrimitive() || !kind.test(e.getAsJsonPrimitive())) {
            throw new LoupeException(source + ": " + key + " must be " + expected + ", not " + e);
        }
        return read.apply(e);
    }
}
