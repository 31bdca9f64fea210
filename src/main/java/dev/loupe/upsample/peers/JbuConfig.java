package dev.loupe.upsample.peers;

import com.google.gson.JsonObject;
import dev.loupe.LoupeException;

/**
 * The joint bilateral upsampler's architecture: the features it upsamples ({@code channels} from a backbone of patch
 * {@code patch}), the guidance projection (RGB to {@code hidden} to {@code keyDim} channels, 1x1 convolutions), the
 * window radius (a {@code (2r+1) x (2r+1)} kernel at every output pixel) and the fixed spatial Gaussian's sigma in
 * output pixels.
 */
public record JbuConfig(int channels, int patch, int hidden, int keyDim, int radius, double sigma) implements PeerConfig {
    public static final String KIND = "jbu";

    public JbuConfig {
        if (channels < 1 || patch < 1 || hidden < 1 || keyDim < 1 || radius < 1 || !(sigma > 0)) {
            throw new LoupeException("invalid joint bilateral configuration: channels " + channels + ", patch " + patch + ", hidden "
                    + hidden + ", key_dim " + keyDim + ", radius " + radius + ", sigma " + sigma);
        }
    }

    /** FeatUp's JBU stage for a backbone: 7x7 windows, a 32-channel guidance projection, spatial sigma = radius. */
    public static JbuConfig forBackbone(int channels, int patch) {
        return new JbuConfig(channels, patch, 32, 32, 3, 3.0);
    }

    public int window() {
        return 2 * radius + 1;
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
        o.addProperty("hidden", hidden);
        o.addProperty("key_dim", keyDim);
        o.addProperty("radius", radius);
        o.addProperty("sigma", sigma);
        return o;
    }

    /** Reads {@link #toJson()}; {@code source} names the file in messages. */
    public static JbuConfig fromJson(JsonObject o, String source) {
        try {
            return new JbuConfig(o.get("channels").getAsInt(), o.get("patch").getAsInt(), o.get("hidden").getAsInt(),
                    o.get("key_dim").getAsInt(), o.get("radius").getAsInt(), o.get("sigma").getAsDouble());
        } catch (NullPointerException | ClassCastException | IllegalStateException | NumberFormatException e) {
            throw new LoupeException(source + ": a joint bilateral architecture needs integer channels, patch, hidden, key_dim, radius "
                    + "and a number sigma");
        }
    }
}
