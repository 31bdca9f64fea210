package dev.loupe.ecad;

import dev.loupe.LoupeException;
import java.util.Optional;

/**
 * A well-known ECAD file that Loupe cannot use: a FLUX schedule (double-stream blocks with full_attn, full_ff and
 * full_ff_context, single-stream blocks with single_attn, single_proj_mlp and single_proj_out). It still carries
 * the schedule's statistics when its bits are well formed, so a viewer can show them.
 */
public final class FluxScheduleException extends LoupeException {
    private final transient ScheduleStats stats;
    private final String problem;

    FluxScheduleException(String source, String problem, ScheduleStats stats) {
        super(source + ": " + problem);
        this.problem = problem;
        this.stats = stats;
    }

    /** The message without the file name in front. */
    public String problem() {
        return problem;
    }

    public Optional<ScheduleStats> stats() {
        return Optional.ofNullable(stats);
    }
}
