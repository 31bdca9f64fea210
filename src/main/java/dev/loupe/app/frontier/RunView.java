package dev.loupe.app.frontier;

import dev.loupe.search.Evaluation;
import dev.loupe.search.Generation;
import dev.loupe.search.SearchRun;
import dev.loupe.search.SearchSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the workspace shows of a search run, copied out of a {@link SearchRun} on the thread that has it (the search's
 * or the loader's), so the FX thread only ever reads immutable lists.
 *
 * @param baselines     the uncached model and the heuristics (FORA, T-GATE-like ...), drawn as labelled markers
 * @param hypervolumes  one value per finished generation
 */
public record RunView(Path folder, SearchSettings settings, List<Evaluation> evaluations, List<Evaluation> baselines,
        List<Double> hypervolumes, List<Long> generationMillis) {
    public RunView {
        evaluations = List.copyOf(evaluations);
        baselines = List.copyOf(baselines);
        hypervolumes = List.copyOf(hypervolumes);
        generationMillis = List.copyOf(generationMillis);
    }

    public static RunView of(Path folder, SearchRun run) {
        List<Evaluation> baselines = new ArrayList<>();
        if (run.baseline() != null) baselines.add(run.baseline());
        for (Evaluation h : run.heuristics()) if (!baselines.contains(h)) baselines.add(h);
        List<Double> hv = new ArrayList<>();
        List<Long> ms = new ArrayList<>();
        for (Generation g : run.generations()) {
            hv.add(g.hypervolume());
            ms.add(g.elapsedMillis());
        }
        return new RunView(folder, run.settings(), run.evaluations(), baselines, hv, ms);
    }

    public int generationsDone() {
        return hypervolumes.size();
    }

    /** Whether the run has all the generations its settings ask for. */
    public boolean finished() {
        return settings != null && generationsDone() >= settings.generations();
    }
}
