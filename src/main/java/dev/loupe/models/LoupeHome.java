package dev.loupe.models;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where Loupe's own files are: the project root when run from source ({@code ./loupe} passes
 * {@code -Dloupe.home}), the application directory when installed. The shipped models are in
 * {@code sample-models/} below it.
 */
public final class LoupeHome {
    private LoupeHome() {}

    public static Path get() {
        String home = System.getProperty("loupe.home");
        if (home != null && !home.isBlank()) return Path.of(home).toAbsolutePath().normalize();
        // Tests and IDE runs start in the project root.
        return Path.of("").toAbsolutePath();
    }

    public static Path sampleModels() {
        return get().resolve("sample-models");
    }

    /** A shipped model's folder, with a clear message when the installation lacks it. */
    public static Path sampleModel(String name) {
        Path dir = sampleModels().resolve(name);
        if (!Files.isDirectory(dir)) {
            throw new dev.loupe.LoupeException("sample model '" + name + "' is missing: expected the folder " + dir);
        }
        return dir;
    }
}
