package dev.loupe.cli;

import dev.loupe.LoupeException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The output folder of a training verb: new, or one whose checkpoint the run resumes; a finished model is never overwritten. */
final class TrainFolder {
    private TrainFolder() {}

    /** Checks {@code out} and returns its checkpoint folder. */
    static Path checkpoint(Path out) {
        if (Files.exists(out) && !Files.isDirectory(out)) throw new LoupeException(out + ": exists and is not a folder");
        Path checkpoint = out.resolve("checkpoint");
        if (Files.exists(out.resolve("model.json")) && !Files.isDirectory(checkpoint)) {
            throw new LoupeException(out + " already holds a trained model (model.json) and no checkpoint to resume: choose another --out");
        }
        return checkpoint;
    }
}
