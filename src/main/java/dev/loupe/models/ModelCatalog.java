package dev.loupe.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The model cards found under a folder (one sub-folder per model, each with a model.json). */
public final class ModelCatalog {
    private ModelCatalog() {}

    public static List<ModelCard> scan(Path root) {
        List<ModelCard> cards = new ArrayList<>();
        if (!Files.isDirectory(root)) return cards;
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(d -> Files.isRegularFile(d.resolve("model.json"))).sorted().forEach(d -> cards.add(ModelCard.read(d)));
        } catch (IOException e) {
            throw new dev.loupe.LoupeException(root + ": cannot be listed (" + e.getMessage() + ")", e);
        }
        return cards;
    }
}
