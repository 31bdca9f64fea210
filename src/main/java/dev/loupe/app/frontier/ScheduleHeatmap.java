package dev.loupe.app.frontier;

import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.Component;
import java.util.Locale;

/**
 * One component of a caching schedule as a picture: a column per denoising step (left = first step, pure noise), a
 * row per transformer block (top = block 0); a dark cell is recomputed, a light one reuses the cached output.
 */
public final class ScheduleHeatmap {
    public static final int RECOMPUTE = 0xff1c4e80;
    public static final int REUSE = 0xffe9eef5;

    private ScheduleHeatmap() {}

    public static Raster of(CacheSchedule schedule, Component component) {
        int steps = schedule.steps(), blocks = schedule.blocks();
        int[] argb = new int[steps * blocks];
        for (int b = 0; b < blocks; b++) {
            for (int s = 0; s < steps; s++) argb[b * steps + s] = schedule.recompute(s, b, component) ? RECOMPUTE : REUSE;
        }
        return new Raster(steps, blocks, argb);
    }

    /** "attn1: 34 of 80 recomputed (42%)". */
    public static String caption(CacheSchedule schedule, Component component) {
        int n = schedule.recomputeCount(component);
        int total = schedule.steps() * schedule.blocks();
        return String.format(Locale.ROOT, "%s: %d of %d recomputed (%.0f%%)", component.key(), n, total, 100.0 * n / total);
    }

    /** "212 of 480 components recomputed (44%), 20 steps x 8 blocks". */
    public static String summary(CacheSchedule schedule) {
        return String.format(Locale.ROOT, "%d of %d recomputed (%.0f%%), %d steps x %d blocks", schedule.recomputeCount(),
                schedule.size(), 100.0 * schedule.recomputeCount() / schedule.size(), schedule.steps(), schedule.blocks());
    }
}
