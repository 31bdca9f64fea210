package dev.loupe.cli;

import dev.loupe.LoupeException;
import dev.loupe.diffusion.cache.CacheSchedule;
import java.nio.file.Path;

/** The {@code --schedule S.json} option of the diffusion verbs: an ECAD schedule file checked against the model. */
final class ScheduleFiles {
    private ScheduleFiles() {}

    /** The schedule in {@code file}, which must be for {@code blocks} blocks and (unless negative) {@code steps} steps. */
    static CacheSchedule read(Path file, int steps, int blocks) {
        throw new LoupeException("reading " + file + ": schedule files are not supported yet");
    }
}
