package dev.loupe.ecad;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The ECAD fixture files under src/test/resources/fixtures/. */
final class Fixtures {
    private Fixtures() {}

    static Path dir(String folder) {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/" + folder).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path schedule(String file) {
        return dir("ecad-schedules").resolve(file);
    }

    static List<Path> publishedPixArt() {
        try (Stream<Path> files = Files.list(dir("ecad-schedules"))) {
            return files.filter(p -> p.getFileName().toString().startsWith("pixart_")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
