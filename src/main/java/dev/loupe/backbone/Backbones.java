package dev.loupe.backbone;

import dev.loupe.LoupeException;
import dev.loupe.models.LoupeHome;
import dev.loupe.models.ModelCard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Opens a backbone from what a user types or picks: {@code sample} (the shipped sample ViT), {@code dinov2-s14-random}
 * (DINOv2-S/14's shape with random weights, for benchmarks), a TorchScript file
 * ({@code .pt}, {@code .pth}, {@code .torchscript}), an ONNX file ({@code .onnx}), or a folder written by
 * {@code loupe train backbone}. Every failure is one {@link LoupeException} line naming the input.
 */
public final class Backbones {
    /** The name of the shipped sample backbone. */
    public static final String SAMPLE = "sample";
    /** Its folder under {@code sample-models/}. */
    public static final String SAMPLE_MODEL = "sample-vit";
    /**
     * A ViT with DINOv2-S/14's shape (384 channels, patch 14) and random weights: upsamplers' speed and memory at a
     * real backbone's size, without shipping its weights. Its features mean nothing.
     */
    public static final String RANDOM_DINOV2_S14 = "dinov2-s14-random";

    public static final List<String> TORCHSCRIPT_EXTENSIONS = List.of(".pt", ".pth", ".torchscript");
    public static final List<String> ONNX_EXTENSIONS = List.of(".onnx");

    private Backbones() {}

    /** The backbone {@code spec} names (see the class comment). The caller closes it. */
    public static Backbone open(String spec) {
        if (spec == null || spec.isBlank()) throw new LoupeException("no backbone given (use 'sample' or a .pt/.onnx file)");
        if (spec.equals(SAMPLE)) return sample();
        if (spec.equals(RANDOM_DINOV2_S14)) return SampleVitBackbone.random(SampleVitConfig.dinov2Small(), RANDOM_DINOV2_S14);
        return open(Path.of(spec));
    }

    /** The shipped sample ViT (from {@link LoupeHome#sampleModel}). */
    public static SampleVitBackbone sample() {
        return SampleVitBackbone.open(LoupeHome.sampleModel(SAMPLE_MODEL));
    }

    /** The SHA-256 of the shipped sample ViT's weights, as its card records it (for cards of models trained on it). */
    public static String sampleWeightsSha256() {
        return ModelCard.read(LoupeHome.sampleModel(SAMPLE_MODEL)).files().getOrDefault(SampleVitBackbone.WEIGHTS, "");
    }

    public static Backbone open(Path path) {
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve("model.json"))) return SampleVitBackbone.open(path);
            throw new LoupeException(path + " is a folder without a model.json (expected a backbone file or a sample ViT folder)");
        }
        if (!Files.exists(path)) throw new LoupeException(path + ": no such file (use 'sample' or a .pt/.onnx file)");
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (TORCHSCRIPT_EXTENSIONS.stream().anyMatch(name::endsWith)) return TorchScriptBackbone.open(path);
        if (ONNX_EXTENSIONS.stream().anyMatch(name::endsWith)) return OnnxBackbone.open(path);
        throw new LoupeException(path + " is not a backbone file Loupe knows: use a TorchScript file ("
                + String.join(", ", TORCHSCRIPT_EXTENSIONS) + ") or an ONNX file (.onnx)");
    }
}
