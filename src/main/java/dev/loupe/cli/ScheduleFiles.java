package dev.loupe.cli;

import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.ecad.ScheduleFile;
import java.nio.file.Path;

/** The {@code --schedule S.json} option of the diffusion verbs: an ECAD schedule file checked against the model. */
final class ScheduleFiles {
    private ScheduleFiles() {}

    /** The schedule in {@code file}, which must be for {@code blocks} blocks and (unless negative) {@code steps} steps. */
    static CacheSchedule read(Path file, int steps, int blocks) {
        ScheduleFile f = ScheduleFile.read(file);
        return f.validateFor(steps < 0 ? f.steps() : steps, blocks).schedule();
    }
}
