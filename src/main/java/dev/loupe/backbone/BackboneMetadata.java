package dev.loupe.backbone;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.loupe.LoupeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What Loupe needs to know about an exported backbone file, from a sidecar JSON beside it ({@code model.pt.json} or
 * {@code model.json} for {@code model.pt}):
 * <pre>
 * { "name": "DINOv2 ViT-S/14", "patch_size": 14, "channels": 384, "mean": [0.485, 0.456, 0.406],
 *   "std": [0.229, 0.224, 0.225], "preferred_size": 448, "fixed_size": false }
 * </pre>
 * Every key is optional; missing ones take DINOv2's values (patch 14, ImageNet mean/std, 448 px), and a missing
 * channel count is learned from a first run. {@code fixed_size: true} says the export only accepts
 * {@code preferred_size x preferred_size} images (a traced model with baked-in position sizes), so Loupe resizes
 * every image to exactly that.
 */
public record BackboneMetadata(String name, int patchSize, Optional<Integer> channels, Backbone.Normalisation normalisation,
        int preferredSize, boolean fixedSize, Optional<Path> source) {

    public static final int DINOV2_PATCH = 14;
    public static final int DINOV2_PREFERRED_SIZE = 448;

    /** DINOv2's values, named after the model file. */
    public static BackboneMetadata dinov2Defaults(String name) {
        return new BackboneMetadata(name, DINOV2_PATCH, Optional.empty(), Backbone.Normalisation.IMAGENET, DINOV2_PREFERRED_SIZE,
                false, Optional.empty());
    }

    /** The sidecar of {@code modelFile}, if there is one. */
    public static Optional<Path> sidecar(Path modelFile) {
        Path full = modelFile.resolveSibling(modelFile.getFileName() + ".json");
        if (Files.isRegularFile(full)) return Optional.of(full);
        String name = modelFile.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            Path stem = modelFile.resolveSibling(name.substring(0, dot) + ".json");
            if (Files.isRegularFile(stem)) return Optional.of(stem);
        }
        return Optional.empty();
    }

    /** Where a sidecar for {@code modelFile} is looked for first (for messages). */
    public static String sidecarName(Path modelFile) {
        return modelFile.getFileName() + ".json";
    }

    /** The metadata for {@code modelFile}: its sidecar over DINOv2's defaults. */
    public static BackboneMetadata forModel(Path modelFile) {
        BackboneMetadata defaults = dinov2Defaults(modelFile.getFileName().toString());
        Optional<Path> file = sidecar(modelFile);
        return file.isEmpty() ? defaults : read(file.get(), defaults);
    }

    static BackboneMetadata read(Path file, BackboneMetadata defaults) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file));
            if (!e.isJsonObject()) throw new LoupeException(file + " is not backbone metadata (expected a JSON object)");
            o = e.getAsJsonObject();
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot be read (" + e.getMessage() + ")", e);
        } catch (JsonParseException e) {
            throw new LoupeException(file + " is not valid JSON (" + e.getMessage() + ")", e);
        }
        String name = o.has("name") ? string(o, "name", file) : defaults.name();
        int patch = o.has("patch_size") ? positiveInt(o, "patch_size", file) : defaults.patchSize();
        Optional<Integer> channels = o.has("channels") ? Optional.of(positiveInt(o, "channels", file)) : defaults.channels();
        float[] mean = o.has("mean") ? triple(o, "mean", file) : defaults.normalisation().mean();
        float[] std = o.has("std") ? triple(o, "std", file) : defaults.normalisation().std();
        for (float s : std) if (!(s > 0)) throw new LoupeException(file + ": std values must be positive");
        int preferred = o.has("preferred_size") ? positiveInt(o, "preferred_size", file) : defaults.preferredSize();
        if (preferred % patch != 0) {
            throw new LoupeException(file + ": preferred_size " + preferred + " is not a multiple of patch_size " + patch);
        }
        boolean fixed = defaults.fixedSize();
        if (o.has("fixed_size")) {
            JsonElement f = o.get("fixed_size");
            if (!f.isJsonPrimitive() || !f.getAsJsonPrimitive().isBoolean()) throw new LoupeException(file + ": fixed_size must be true or false");
            fixed = f.getAsBoolean();
        }
        return new BackboneMetadata(name, patch, channels, new Backbone.Normalisation(mean, std), preferred, fixed, Optional.of(file));
    }

    private static String string(JsonObject o, String key, Path file) {
        JsonElement e = o.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) throw new LoupeException(file + ": " + key + " must be text");
        return e.getAsString();
    }

    private static int positiveInt(JsonObject o, String key, Path file) {
        JsonElement e = o.get(key);
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            double v = e.getAsDouble();
            if (v == Math.rint(v) && v >= 1 && v <= Integer.MAX_VALUE) return (int) v;
        }
        throw new LoupeException(file + ": " + key + " must be a positive integer, found " + e);
    }

    private static float[] triple(JsonObject o, String key, Path file) {
        JsonElement e = o.get(key);
        if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            if (a.size() == 3) {
                float[] out = new float[3];
                for (int i = 0; i < 3; i++) {
                    JsonElement v = a.get(i);
                    if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) break;
                    out[i] = v.getAsFloat();
                    if (i == 2) return out;
                }
            }
        }
        throw new LoupeException(file + ": " + key + " must be a list of 3 numbers (R, G, B), found " + e);
    }
}
