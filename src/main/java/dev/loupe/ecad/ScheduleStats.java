package dev.loupe.ecad;

import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.Component;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a schedule recomputes, for display: per component type how many of its bits say recompute, and per step
 * how many of the step's bits do.
 *
 * @param dimensions  e.g. "20 steps x 28 blocks x 3 components"
 * @param components  one count per component type, in file order
 * @param recomputePerStep how many bits of each step say recompute (of {@code bitsPerStep})
 */
public record ScheduleStats(String name, int steps, String dimensions, List<Count> components,
                            int[] recomputePerStep, int bitsPerStep) {
    public ScheduleStats {
        components = List.copyOf(components);
        recomputePerStep = recomputePerStep.clone();
    }

    /** {@code recompute} of {@code total} bits of one component type say recompute. */
    public record Count(String component, int recompute, int total) {
        public double percent() {
            return total == 0 ? 0 : 100.0 * recompute / total;
        }
    }

    public static ScheduleStats of(CacheSchedule s) {
        List<Count> counts = new ArrayList<>();
        for (Component c : Component.values()) counts.add(new Count(c.key(), s.recomputeCount(c), s.steps() * s.blocks()));
        int[] perStep = new int[s.steps()];
        for (int step = 0; step < s.steps(); step++) {
            for (int b = 0; b < s.blocks(); b++) {
                for (Component c : Component.values()) if (s.recompute(step, b, c)) perStep[step]++;
            }
        }
        return new ScheduleStats(s.name(), s.steps(), s.steps() + " steps x " + s.blocks() + " blocks x "
                + CacheSchedule.COMPONENTS + " components", counts, perStep,
                s.blocks() * CacheSchedule.COMPONENTS);
    }

    public int recompute() {
        return components.stream().mapToInt(Count::recompute).sum();
    }

    public int total() {
        return components.stream().mapToInt(Count::total).sum();
    }

    @Override
    public int[] recomputePerStep() {
        return recomputePerStep.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScheduleStats s && s.name.equals(name) && s.steps == steps && s.dimensions.equals(dimensions)
                && s.components.equals(components) && Arrays.equals(s.recomputePerStep, recomputePerStep)
                && s.bitsPerStep == bitsPerStep;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(recomputePerStep);
    }
}
