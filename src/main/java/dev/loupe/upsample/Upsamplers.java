package dev.loupe.upsample;

import com.google.gson.JsonElement;
import dev.loupe.LoupeException;
import dev.loupe.models.LoupeHome;
import dev.loupe.models.ModelCard;
import dev.loupe.upsample.uplift.UpliftConfig;
import dev.loupe.upsample.uplift.UpliftUpsampler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens an upsampler from what a user types or picks: {@code bilinear}, {@code nearest}, {@code uplift} (the
 * shipped sample UPLiFT, trained for the sample backbone) or a folder written by {@code loupe train uplift} (its
 * model.json holds the UPLiFT configuration). A learned upsampler must match the backbone's channel count and patch
 * size; a mismatch is one clear line.
 */
public final class Upsamplers {
    public static final String BILINEAR = "bilinear";
    public static final String NEAREST = "nearest";
    public static final String UPLIFT = "uplift";
    /** The sample UPLiFT's folder under {@code sample-models/}. */
    public static final String SAMPLE_UPLIFT = "sample-uplift";
    public static final List<String> NAMES = List.of(UPLIFT, BILINEAR, NEAREST);

    private Upsamplers() {}

    /**
     * The upsampler {@code spec} names, for features of {@code channels} channels from a backbone of patch
     * {@code patch} named {@code backbone} (for messages). The caller closes it.
     */
    public static Upsampler open(String spec, int channels, int patch, String backbone) {
        if (spec == null || spec.isBlank()) throw new LoupeException("no upsampler given (use " + String.join(", ", NAMES) + " or a folder)");
        return switch (spec) {
            case BILINEAR -> new BilinearUpsampler();
            case NEAREST -> new NearestUpsampler();
            case UPLIFT -> openUplift(LoupeHome.sampleModel(SAMPLE_UPLIFT), channels, patch, backbone);
            default -> {
                Path dir = Path.of(spec);
                if (!Files.isDirectory(dir)) {
                    throw new LoupeException("unknown upsampler '" + spec + "': use " + String.join(", ", NAMES)
                            + ", or a folder written by 'loupe train uplift'");
                }
                yield openUplift(dir, channels, patch, backbone);
            }
        };
    }

    /** An UPLiFT model folder: {@code model.json} (kind upsampler, architecture = UPLiFT configuration) and its weights. */
    public static UpliftUpsampler openUplift(Path folder, int channels, int patch, String backbone) {
        ModelCard card = ModelCard.read(folder);
        UpliftConfig config = upliftConfig(card);
        if (config.backbone().channel() != channels || config.backbone().patch() != patch) {
            throw new LoupeException(folder + " (" + card.name() + ") upsamples features of " + config.backbone().channel()
                    + " channels from patch-" + config.backbone().patch() + " backbones, but " + backbone + " gives " + channels
                    + " channels at patch " + patch + ": use --upsampler bilinear, or train one with 'loupe train uplift --backbone "
                    + backbone + "'");
        }
        String weights = card.files().keySet().stream().filter(n -> n.endsWith(".safetensors")).findFirst()
                .orElseThrow(() -> new LoupeException(folder.resolve("model.json") + " lists no .safetensors weights"));
        return new UpliftUpsampler(config, folder.resolve(weights), card.name());
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
