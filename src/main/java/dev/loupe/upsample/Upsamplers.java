package dev.loupe.upsample;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.models.LoupeHome;
import dev.loupe.models.ModelCard;
import dev.loupe.upsample.uplift.UpliftConfig;
import dev.loupe.upsample.uplift.UpliftUpsampler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens an upsampler from what a user types or picks: {@code bilinear}, {@code nearest}, one of the shipped learned
 * upsamplers for the sample backbone ({@code uplift}, and its peers {@code lift}, {@code jbu}, {@code xattn}: see
 * {@link UpsamplerKind}), or a model folder written by {@code loupe train uplift} or {@code loupe train upsampler}
 * (its model.json says which kind, in {@code upsampler}, and holds the architecture). A learned upsampler must match
 * the backbone's channel count and patch size; a mismatch is one clear line.
 */
public final class Upsamplers {
    public static final String BILINEAR = "bilinear";
    public static final String NEAREST = "nearest";
    public static final String UPLIFT = "uplift";
    public static final String LIFT = "lift";
    public static final String JBU = "jbu";
    public static final String XATTN = "xattn";
    /** The sample UPLiFT's folder under {@code sample-models/}. */
    public static final String SAMPLE_UPLIFT = "sample-uplift";
    public static final List<String> NAMES = List.of(UPLIFT, BILINEAR, NEAREST, LIFT, JBU, XATTN);

    private Upsamplers() {}

    /**
     * The upsampler {@code spec} names, for features of {@code channels} channels from a backbone of patch
     * {@code patch} named {@code backbone} (for messages). The caller closes it.
     */
    public static Upsampler open(String spec, int channels, int patch, String backbone) {
        if (spec == null || spec.isBlank()) throw new LoupeException("no upsampler given (use " + String.join(", ", NAMES) + " or a folder)");
        switch (spec) {
            case BILINEAR:
                return new BilinearUpsampler();
            case NEAREST:
                return new NearestUpsampler();
            case UPLIFT, LIFT, JBU, XATTN:
                return openFolder(LoupeHome.sampleModel(UpsamplerKind.of(spec).sampleFolder()), channels, patch, backbone);
            default:
                Path dir = Path.of(spec);
                if (!Files.isDirectory(dir)) {
                    throw new LoupeException("unknown upsampler '" + spec + "': use " + String.join(", ", NAMES)
                            + ", or a folder written by 'loupe train uplift' or 'loupe train upsampler'");
                }
                return openFolder(dir, channels, patch, backbone);
        }
    }

    /** A learned upsampler's model folder: {@code model.json} (kind upsampler) and its weights. */
    public static Upsampler openFolder(Path folder, int channels, int patch, String backbone) {
        ModelCard card = ModelCard.read(folder);
        UpsamplerKind kind = kindOf(card);
        if (kind == UpsamplerKind.UPLIFT || kind == UpsamplerKind.LIFT) return openUplift(folder, channels, patch, backbone);
        JsonObject arch = architecture(card);
        int modelChannels = arch.has("channels") ? arch.get("channels").getAsInt() : -1;
        int modelPatch = arch.has("patch") ? arch.get("patch").getAsInt() : -1;
        checkFits(folder, card, modelChannels, modelPatch, channels, patch, backbone);
        card.verify();
        return kind.load(arch, weights(card), card.name(), folder.resolve("model.json") + " (architecture)");
    }

    /** Which kind of upsampler a card describes ({@code upsampler}; cards without it are UPLiFT's). */
    public static UpsamplerKind kindOf(ModelCard card) {
        if (!"upsampler".equals(card.kind())) {
            throw new LoupeException(card.folder().resolve("model.json") + " does not describe an upsampler (kind " + card.kind() + ")");
        }
        JsonElement k = card.json().get("upsampler");
        return k == null || !k.isJsonPrimitive() ? UpsamplerKind.UPLIFT : UpsamplerKind.of(k.getAsString());
    }

    /** An UPLiFT (or LiFT-style) model folder: {@code model.json} (kind upsampler, architecture = UPLiFT configuration) and its weights. */
    public static UpliftUpsampler openUplift(Path folder, int channels, int patch, String backbone) {
        ModelCard card = ModelCard.read(folder);
        UpliftConfig config = upliftConfig(card);
        checkFits(folder, card, config.backbone().channel(), config.backbone().patch(), channels, patch, backbone);
        return new UpliftUpsampler(config, weights(card), card.name());
    }

    private static void checkFits(Path folder, ModelCard card, int modelChannels, int modelPatch, int channels, int patch, String backbone) {
        if (modelChannels != channels || modelPatch != patch) {
            throw new LoupeException(folder + " (" + card.name() + ") upsamples features of " + modelChannels
                    + " channels from patch-" + modelPatch + " backbones, but " + backbone + " gives " + channels
                    + " channels at patch " + patch + ": use --upsampler bilinear, or train one with 'loupe train uplift --backbone "
                    + backbone + "'");
        }
    }

    private static Path weights(ModelCard card) {
        String weights = card.files().keySet().stream().filter(n -> n.endsWith(".safetensors")).findFirst()
                .orElseThrow(() -> new LoupeException(card.folder().resolve("model.json") + " lists no .safetensors weights"));
        return card.folder().resolve(weights);
    }

    private static JsonObject architecture(ModelCard card) {
        JsonElement arch = card.json().get("architecture");
        if (arch == null || !arch.isJsonObject()) {
            throw new LoupeException(card.folder().resolve("model.json") + " has no architecture object");
        }
        return arch.getAsJsonObject();
    }

    /** The UPLiFT configuration a model card records, after checking its weight files against the card. */
    public static UpliftConfig upliftConfig(ModelCard card) {
        Path file = card.folder().resolve("model.json");
        JsonElement arch = card.json().get("architecture");
        if (!"upsampler".equals(card.kind()) || arch == null || !arch.isJsonObject()) {
            throw new LoupeException(file + " does not describe an UPLiFT upsampler (kind " + card.kind() + ")");
        }
        card.verify();
        return UpliftConfig.parse(arch.toString(), file + " (architecture)");
    }
}
