package dev.loupe.search;

import java.util.List;

/**
 * One finished NSGA-II generation: its population (after survival), the feasible non-dominated schedules among
 * them, the hypervolume of that frontier ({@link Frontier#hypervolume}) and the wall time since the run (or the
 * resumed run) started.
 */
public record Generation(int index, List<Evaluation> population, List<Evaluation> frontier, double hypervolume,
        long elapsedMillis) {
    public Generation {
        population = List.copyOf(population);
        frontier = List.copyOf(frontier);
    }
}
