package dev.loupe.app.features;

import dev.loupe.LoupeException;
import dev.loupe.tensor.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The sample images bundled with Loupe ({@code /assets/samples/shapes-NN.png}, ShapesWorld scenes): listed from the
 * class path, and copied to a temporary folder when opened, so that they take the same path as a user's file.
 */
public final class Samples {
    private static final String FOLDER = "/assets/samples/";
    private static Path extracted;

    /** A bundled image: its file name and class-path resource. */
    public record Sample(String fileName, URL resource) {
        /** "Shapes 01" for shapes-01.png. */
        public String title() {
            String base = fileName.replaceFirst("\\.png$", "").replace('-', ' ');
            return Character.toUpperCase(base.charAt(0)) + base.substring(1);
        }

        public InputStream open() throws IOException {
            return resource.openStream();
        }
    }

    private Samples() {}

    /** The bundled samples in order (shapes-01.png, shapes-02.png, ...). */
    public static List<Sample> list() {
        List<Sample> samples = new ArrayList<>();
        for (int i = 1; i < 100; i++) {
            String name = String.format("shapes-%02d.png", i);
            URL url = Samples.class.getResource(FOLDER + name);
            if (url == null) break;
            samples.add(new Sample(name, url));
        }
        return samples;
    }

    /** The sample as a file (a copy in a temporary folder, made once per run). */
    public static synchronized Path file(Sample sample) {
        try {
            if (extracted == null) {
                extracted = Files.createTempDirectory("loupe-samples");
                extracted.toFile().deleteOnExit();
            }
            Path file = extracted.resolve(sample.fileName());
            if (!Files.isRegularFile(file)) {
                AtomicFiles.write(file, out -> {
                    try (InputStream in = sample.open()) {
                        in.transferTo(out);
                    }
                });
                file.toFile().deleteOnExit();
            }
            return file;
        } catch (IOException e) {
            throw new LoupeException("cannot copy the sample " + sample.fileName() + " to a temporary folder: " + e.getMessage(), e);
        }
    }
}
