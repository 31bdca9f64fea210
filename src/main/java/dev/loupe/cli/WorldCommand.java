package dev.loupe.cli;

import dev.loupe.LoupeException;
import dev.loupe.world.Rasteriser;
import dev.loupe.world.SceneFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "world", mixinStandardHelpOptions = true, description = {
    "Write ShapesWorld scenes with their masks and captions.",
    "Files: NNNN.png (RGB), NNNN_class.png (pixel = class id: 0 background, 1 circle, 2 square, 3 triangle,"
        + " 4 star, 5 hexagon, 6 cross, 7 diamond, 8 ring), NNNN_instance.png (pixel = object in drawing order,"
        + " 0 background) and scenes.json (descriptions and captions).",
    "Scene NNNN is the scene of seed K + NNNN; the same arguments always write the same bytes."})
public final class WorldCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write into (created if missing).")
    Path out;

    @Option(names = "--count", defaultValue = "16", paramLabel = "N", description = "Number of scenes (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--size", defaultValue = "128", paramLabel = "S",
            description = "Image side in pixels, 32 to 1024 (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "K", description = "Seed of the first scene (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws IOException {
        if (size < Rasteriser.MIN_SIZE || size > Rasteriser.MAX_SIZE) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--size must be between " + Rasteriser.MIN_SIZE
                    + " and " + Rasteriser.MAX_SIZE + ", got " + size);
        }
        if (count < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1, got " + count);
        if (Files.exists(out) && !Files.isDirectory(out)) throw new LoupeException(out + ": exists and is not a folder");

        long start = System.nanoTime();
        ProgressLine progress = new ProgressLine(System.err);
        SceneFolder.write(out, seed, count, size, progress);
        progress.finish();
        double seconds = (System.nanoTime() - start) / 1e9;
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %d scene%s of %dx%d px (seeds %d..%d) to %s in %.1f s%n",
                count, count == 1 ? "" : "s", size, size, seed, seed + count - 1, out, seconds);
        return 0;
    }
}
