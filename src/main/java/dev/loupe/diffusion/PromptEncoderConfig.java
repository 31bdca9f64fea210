package dev.loupe.diffusion;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;

/**
 * The shape of a {@link PromptEncoder}: embedding width (the transformer's {@code caption_channels}), encoder layers,
 * attention heads, the fixed token length of an encoded prompt (start token included) and the size of the token
 * vocabulary it was built for ({@link PromptEncoder#VOCABULARY_SIZE} when made by this version of Loupe).
 */
public record PromptEncoderConfig(int width, int layers, int heads, int maxTokens, int vocabularySize) {
    public PromptEncoderConfig {
        if (width <= 0 || layers < 0 || heads <= 0 || maxTokens < 2 || vocabularySize < 3) {
            throw new IllegalArgumentException("prompt encoder: width, heads and vocabulary must be positive, layers "
                    + "non-negative and at least 2 tokens (got width " + width + ", layers " + layers + ", heads " + heads
                    + ", tokens " + maxTokens + ", vocabulary " + vocabularySize + ")");
        }
        if (width % heads != 0) {
            throw new IllegalArgumentException("prompt encoder: width " + width + " is not a multiple of " + heads + " heads");
        }
    }

    /** An encoder over the current ShapesWorld vocabulary. */
    public static PromptEncoderConfig of(int width, int layers, int heads, int maxTokens) {
        return new PromptEncoderConfig(width, layers, heads, maxTokens, PromptEncoder.VOCABULARY_SIZE);
    }

    public int headDim() {
        return width / heads;
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("width", width);
        o.addProperty("layers", layers);
        o.addProperty("heads", heads);
        o.addProperty("max_tokens", maxTokens);
        o.addProperty("vocabulary_size", vocabularySize);
        o.addProperty("tokens", "0 padding, 1 start, 2 + the word's index in ShapesWorld's Vocabulary.WORDS");
        return o;
    }

    public static PromptEncoderConfig fromJson(JsonObject o, String source) {
        try {
            return new PromptEncoderConfig(integer(o, "width", source), integer(o, "layers", source),
                    integer(o, "heads", source), integer(o, "max_tokens", source), integer(o, "vocabulary_size", source));
        } catch (IllegalArgumentException e) {
            throw new LoupeException(source + ": " + e.getMessage());
        }
    }

    /** A field that must be there, read with {@link PixArtConfig}'s typed getters. */
    static JsonElement required(JsonObject o, String key, String source) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) throw new LoupeException(source + ": " + key + " is missing");
        return e;
    }

    private static int integer(JsonObject o, String key, String source) {
        required(o, key, source);
        return PixArtConfig.integer(o, key, source, 0);
    }
}
