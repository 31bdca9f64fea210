package dev.loupe.search;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.loupe.diffusion.PixArtConfig;
import dev.loupe.diffusion.PromptEncoderConfig;
import dev.loupe.diffusion.TextToImageConfig;
import dev.loupe.diffusion.TextToImageModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A tiny text-to-image model folder with random weights: searches run on it in seconds. */
final class TinyModel {
    private TinyModel() {}

    static Path write(Path folder, int steps, int blocks) throws IOException {
        try (NDManager nd = NDManager.newBaseManager()) {
            TextToImageModel model = new TextToImageModel(nd, new TextToImageConfig(PixArtConfig.of(2, 8, blocks, 3, 3, 32, 8, 16),
                    PromptEncoderConfig.of(16, 1, 2, 24), new TextToImageConfig.SamplerSettings(steps, 3.0, 1.0)));
            JsonObject card = new JsonObject();
            card.addProperty("name", "tiny-dit");
            card.addProperty("kind", "text-to-image-dit");
            card.addProperty("description", "random weights, for tests");
            model.save(folder, card);
        }
        return folder;
    }

    /** Search settings on the tiny model: 2 prompts x 1 seed, population 6, 2 generations. */
    static SearchSettings settings(Path model) {
        return SearchSettings.defaults(model).withCalibration(SearchSettings.calibrationPrompts().subList(0, 2), List.of(0L))
                .withPopulation(6, 2);
    }
}
