package dev.loupe.backbone;

import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.world.ShapeKind;

/**
 * The architecture of the sample ViT: patch size, token width, depth, attention heads, MLP hidden width, the number
 * of per-patch classes of its training head, and the input size it is trained and shown at.
 */
public record SampleVitConfig(int patch, int width, int depth, int heads, int mlpHidden, int classes, int preferredSize) {

    /** The shipped model: patch 16, 128 wide, 6 blocks of 4 heads; 9 ShapesWorld classes; 256 px (16 x 16 tokens). */
    public static SampleVitConfig sample() {
        return new SampleVitConfig(16, 128, 6, 4, 512, ShapeKind.CLASS_COUNT, 256);
    }

    public SampleVitConfig {
        if (patch < 1 || width < 1 || depth < 0 || heads < 1 || mlpHidden < 1 || classes < 1 || preferredSize < patch) {
            throw new LoupeException("invalid sample ViT configuration: patch " + patch + ", width " + width + ", depth " + depth
                    + ", heads " + heads + ", mlp " + mlpHidden + ", classes " + classes + ", size " + preferredSize);
        }
        if (width % heads != 0) throw new LoupeException("the ViT width " + width + " is not divisible by its " + heads + " heads");
        if (width % 4 != 0) throw new LoupeException("the ViT width " + width + " must be a multiple of 4 (2-D sin-cos positions)");
        if (preferredSize % patch != 0) throw new LoupeException("the preferred size " + preferredSize + " is not a multiple of the patch " + patch);
    }

    public int headDim() {
        return width / heads;
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("patch", patch);
        o.addProperty("width", width);
        o.addProperty("depth", depth);
        o.addProperty("heads", heads);
        o.addProperty("mlp_hidden", mlpHidden);
        o.addProperty("classes", classes);
        o.addProperty("preferred_size", preferredSize);
        return o;
    }

    /** Reads {@link #toJson()}; {@code source} names the file in messages. */
    public static SampleVitConfig fromJson(JsonObject o, String source) {
        try {
            return new SampleVitConfig(o.get("patch").getAsInt(), o.get("width").getAsInt(), o.get("depth").getAsInt(),
                    o.get("heads").getAsInt(), o.get("mlp_hidden").getAsInt(), o.get("classes").getAsInt(),
                    o.get("preferred_size").getAsInt());
        } catch (NullPointerException | ClassCastException | IllegalStateException | NumberFormatException e) {
            throw new LoupeException(source + ": the ViT architecture needs integer patch, width, depth, heads, mlp_hidden, classes and preferred_size");
        }
    }
}
