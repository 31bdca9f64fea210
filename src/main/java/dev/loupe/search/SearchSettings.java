package dev.loupe.search;

import java.nio.file.Path;
import java.util.List;

/** Placeholder of the search branch's settings (replaced by the real class when {@code search} is merged). */
public record SearchSettings(Path model, List<String> prompts, List<Long> seeds, int population, int generations,
        double crossoverRate, double mutationRate, double fidelityWeight, int steps, double guidance) {
    public static SearchSettings defaults(Path model) {
        return new SearchSettings(model, List.of("a red circle on a plain white background"), List.of(0L), 8, 4, 1.0, 0.05,
                0.0, 20, 3.0);
    }
}
