package dev.loupe.eval.reward;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import java.util.ArrayList;
import java.util.List;

/**
 * The reward network's shape: input side, channel widths (one per level, each level half the resolution of the
 * one before, the first half the input's), refining convolutions per level, and the hidden widths of the global
 * head (count, background) and of the per-cell pair head.
 */
public record RewardConfig(int imageSize, List<Integer> widths, int depth, int hidden, int pairHidden) {
    public RewardConfig {
        widths = List.copyOf(widths);
        if (depth < 1) throw new IllegalArgumentException("every level needs at least one refining convolution, got depth " + depth);
        if (widths.size() < 2) throw new IllegalArgumentException("need at least two levels, got widths " + widths);
        if (imageSize % (1 << widths.size()) != 0) {
            throw new IllegalArgumentException("image size " + imageSize + " cannot be halved " + widths.size() + " times");
        }
    }

    /**
     * The shipped model: 32x32 input, 32 channels at 16x16, 64 at 8x8, 128 at 4x4, one refining 3x3 convolution
     * each; a 256-wide head for count and background, a 128-wide per-cell pair head.
     */
    public static RewardConfig sample() {
        return new RewardConfig(32, List.of(32, 64, 128), 1, 256, 128);
    }

    /** Side of the training map: the resolution of the second-to-last level. */
    public int mapSize() {
        return imageSize >> (widths.size() - 1);
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("image_size", imageSize);
        JsonArray w = new JsonArray();
        widths.forEach(w::add);
        o.add("widths", w);
        o.addProperty("depth", depth);
        o.addProperty("hidden", hidden);
        o.addProperty("pair_hidden", pairHidden);
        o.addProperty("outputs", SceneAttributes.OUTPUTS);
        return o;
    }

    /** Reads {@link #toJson()}; {@code source} names the file in messages. */
    public static RewardConfig fromJson(JsonElement json, String source) {
        try {
            JsonObject o = json.getAsJsonObject();
            List<Integer> widths = new ArrayList<>();
            o.getAsJsonArray("widths").forEach(e -> widths.add(e.getAsInt()));
            if (o.has("outputs") && o.get("outputs").getAsInt() != SceneAttributes.OUTPUTS) {
                throw new LoupeException(source + ": the model predicts " + o.get("outputs").getAsInt()
                        + " attributes, this version of Loupe reads " + SceneAttributes.OUTPUTS);
            }
            return new RewardConfig(o.get("image_size").getAsInt(), widths, o.get("depth").getAsInt(), o.get("hidden").getAsInt(),
                    o.get("pair_hidden").getAsInt());
        } catch (LoupeException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new LoupeException(source + ": not a reward model architecture (expected {\"image_size\": 32, "
                    + "\"widths\": [...], \"depth\": D, \"hidden\": N, \"pair_hidden\": N}): " + e.getMessage(), e);
        }
    }
}
