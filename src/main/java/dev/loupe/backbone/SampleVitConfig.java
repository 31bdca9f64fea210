package dev.loupe.backbone;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.world.ShapeKind;
import java.util.ArrayList;
import java.util.List;

/**
 * The architecture of the sample ViT: patch size, token width, depth, attention heads, MLP hidden width, the number
 * of per-patch classes of its training head, the input size it is trained and shown at, and the channels of its
 * convolutional stem (empty: a plain patch x patch patchify; else one stride-2 3x3 convolution per entry, then a last
 * stride-2 one to the width, so the patch must be 2^(entries+1)), and how many residual 3x3 convolutions mix
 * neighbouring tokens before the blocks ({@link PatchEmbedding}).
 */
public record SampleVitConfig(int patch, int width, int depth, int heads, int mlpHidden, int classes, int preferredSize,
        List<Integer> stem, int tokenConvs) {

    /** Without token convolutions (the first shipped recipe, and tiny test models). */
    public SampleVitConfig(int patch, int width, int depth, int heads, int mlpHidden, int classes, int preferredSize, List<Integer> stem) {
        this(patch, width, depth, heads, mlpHidden, classes, preferredSize, stem, 0);
    }

    /**
     * The shipped model: patch 16 through a convolutional stem of 32, 64, 128 channels and two token convolutions
     * (early convolutions make small ViTs learn shapes much sooner), 128 wide, 6 blocks of 4 heads; 9 ShapesWorld
     * classes; 256 px (16 x 16 tokens).
     */
    public static SampleVitConfig sample() {
        return new SampleVitConfig(16, 128, 6, 4, 512, ShapeKind.CLASS_COUNT, 256, List.of(32, 64, 128), 2);
    }

    /**
     * The shape of DINOv2-S/14 (ViT-S: patch 14, 384 wide, 12 blocks of 6 heads, MLP 1536; plain patchify), for
     * measuring upsamplers at a real backbone's width and patch with random weights.
     */
    public static SampleVitConfig dinov2Small() {
        return new SampleVitConfig(14, 384, 12, 6, 1536, ShapeKind.CLASS_COUNT, 448, List.of());
    }

    public SampleVitConfig {
        stem = List.copyOf(stem);
        if (!stem.isEmpty() && patch != 1 << (stem.size() + 1)) {
            throw new LoupeException("a convolutional stem of " + stem.size() + " stride-2 layers (plus the last) makes patch "
                    + (1 << (stem.size() + 1)) + ", not " + patch);
        }
        if (patch < 1 || width < 1 || depth < 0 || heads < 1 || mlpHidden < 1 || classes < 1 || preferredSize < patch || tokenConvs < 0) {
            throw new LoupeException("invalid sample ViT configuration: patch " + patch + ", width " + width + ", depth " + depth
                    + ", heads " + heads + ", mlp " + mlpHidden + ", classes " + classes + ", size " + preferredSize + ", token convolutions "
                    + tokenConvs);
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
        JsonArray s = new JsonArray();
        stem.forEach(s::add);
        o.add("stem", s);
        o.addProperty("token_convs", tokenConvs);
        return o;
    }

    /** Reads {@link #toJson()}; {@code source} names the file in messages. */
    public static SampleVitConfig fromJson(JsonObject o, String source) {
        try {
            List<Integer> stem = new ArrayList<>();
            if (o.has("stem")) o.getAsJsonArray("stem").forEach(e -> stem.add(e.getAsInt()));
            return new SampleVitConfig(o.get("patch").getAsInt(), o.get("width").getAsInt(), o.get("depth").getAsInt(),
                    o.get("heads").getAsInt(), o.get("mlp_hidden").getAsInt(), o.get("classes").getAsInt(),
                    o.get("preferred_size").getAsInt(), stem, o.has("token_convs") ? o.get("token_convs").getAsInt() : 0);
        } catch (NullPointerException | ClassCastException | IllegalStateException | NumberFormatException e) {
            throw new LoupeException(source + ": the ViT architecture needs integer patch, width, depth, heads, mlp_hidden, classes, "
                    + "preferred_size, a list of integers stem and optionally an integer token_convs");
        }
    }
}
