package dev.loupe.app;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.loupe.backbone.Backbones;
import dev.loupe.backbone.SampleVit;
import dev.loupe.backbone.SampleVitBackbone;
import dev.loupe.backbone.SampleVitConfig;
import dev.loupe.models.ModelCard;
import dev.loupe.upsample.Upsamplers;
import dev.loupe.upsample.uplift.Uplift;
import dev.loupe.upsample.uplift.UpliftConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A Loupe home with untrained, tiny stand-ins for the shipped sample models (same folders, cards and loaders), so
 * that workbench tests run the real paths in well under a second per image: a one-block ViT of width 32 (patch 16,
 * 128 px input, 8 x 8 tokens) and an UPLiFT of the sample configuration for 32 channels.
 */
public final class TinyModels {
    public static final int WIDTH = 32;
    public static final int INPUT = 128;

    private TinyModels() {}

    /** Writes {@code home/sample-models/{sample-vit,sample-uplift}} and returns {@code home}. */
    public static Path home(Path home) throws IOException {
        Path models = home.resolve("sample-models");
        vit(models.resolve(Backbones.SAMPLE_MODEL), WIDTH);
        uplift(models.resolve(Upsamplers.SAMPLE_UPLIFT), WIDTH);
        return home;
    }

    /** An untrained one-block sample ViT folder of {@code width} channels (patch 16, 128 px). */
    public static Path vit(Path dir, int width) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            SampleVitConfig vit = new SampleVitConfig(16, width, 1, 2, 2 * width, 9, INPUT, List.of());
            new SampleVit(m, vit).save(java.nio.file.Files.createDirectories(dir).resolve(SampleVitBackbone.WEIGHTS));
            writeCard(dir, "sample-vit", "backbone", vit.toJson(), SampleVitBackbone.WEIGHTS);
        }
        return dir;
    }

    /** An untrained UPLiFT folder of the sample configuration for {@code channels} channels at patch 16. */
    public static Path uplift(Path dir, int channels) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            UpliftConfig sample = UpliftConfig.named("sample-vit16");
            UpliftConfig.Backbone b = sample.backbone();
            UpliftConfig tiny = new UpliftConfig("tiny test UPLiFT", new UpliftConfig.Backbone(channels, b.patch(), b.stride(), b.diffPipeName(),
                    b.modelType()), sample.uplift(), sample.train());
            new Uplift(m, tiny).save(java.nio.file.Files.createDirectories(dir).resolve("model.safetensors"));
            writeCard(dir, "sample-uplift", "upsampler", tiny.toJsonTree().getAsJsonObject(), "model.safetensors");
        }
        return dir;
    }

    private static void writeCard(Path dir, String name, String kind, JsonObject architecture, String weights) throws IOException {
        JsonObject card = new JsonObject();
        card.addProperty("name", name);
        card.addProperty("kind", kind);
        card.addProperty("description", "untrained tiny stand-in for tests");
        card.add("architecture", architecture);
        JsonObject files = new JsonObject();
        JsonObject w = new JsonObject();
        w.addProperty("sha256", ModelCard.sha256(dir.resolve(weights)));
        files.add(weights, w);
        card.add("files", files);
        ModelCard.write(dir, card);
    }
}
