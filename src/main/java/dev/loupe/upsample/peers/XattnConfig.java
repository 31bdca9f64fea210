package dev.loupe.upsample.peers;

import com.google.gson.JsonObject;
import dev.loupe.LoupeException;

/**
 * The cross-attention upsampler's architecture: the features it upsamples ({@code channels} from a backbone of patch
 * {@code patch}), the image encoder's width {@code imageDim} and residual {@code blocks}, and the attention's
 * query/key width {@code qkDim} split over {@code heads} (each head's width a multiple of 4, for 2-D rotary
 * positions).
 */
public record XattnConfig(int channels, int patch, int imageDim, int blocks, int qkDim, int heads) implements PeerConfig {
    public static final String KIND = "xattn";

    public XattnConfig {
        if (channels < 1 || patch < 1 || imageDim < 1 || blocks < 0 || qkDim < 1 || heads < 1) {
            throw new LoupeException("invalid cross-attention configuration: channels " + channels + ", patch " + patch + ", image_dim "
                    + imageDim + ", blocks " + blocks + ", qk_dim " + qkDim + ", heads " + heads);
        }
        if (qkDim % heads != 0 || (qkDim / heads) % 4 != 0) {
            throw new LoupeException("cross-attention: qk_dim " + qkDim + " must split over " + heads + " heads into widths that are multiples of 4");
        }
    }

    /**
     * JAFAR's attention (qk_dim 128, 4 heads) for a backbone, with an image encoder of 32 channels for narrow features
     * (the sample ViT's 128) and 64 for wide ones (DINOv2-S's 384).
     */
    public static XattnConfig forBackbone(int channels, int patch) {
        return new XattnConfig(channels, patch, channels >= 256 ? 64 : 32, 2, 128, 4);
    }

    public int headDim() {
        return qkDim / heads;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("type", KIND);
        o.addProperty("channels", channels);
        o.addProperty("patch", patch);
        o.addProperty("image_dim", imageDim);
        o.addProperty("blocks", blocks);
        o.addProperty("qk_dim", qkDim);
        o.addProperty("heads", heads);
        return o;
    }

    public static XattnConfig fromJson(JsonObject o, String source) {
        try {
            return new XattnConfig(o.get("channels").getAsInt(), o.get("patch").getAsInt(), o.get("image_dim").getAsInt(),
                    o.get("blocks").getAsInt(), o.get("qk_dim").getAsInt(), o.get("heads").getAsInt());
        } catch (NullPointerException | ClassCastException | IllegalStateException | NumberFormatException e) {
            throw new LoupeException(source + ": a cross-attention architecture needs integer channels, patch, image_dim, blocks, qk_dim and heads");
        }
    }
}
