package dev.loupe.app.frontier;

import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.ecad.Heuristics;
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
 * @param baselines     no caching, FORA 2 and 3, T-GATE-like ({@link #baselines}), drawn as labelled markers
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
        List<Evaluation> baselines = baselines(run.evaluations());
        List<Double> hv = new ArrayList<>();
        List<Long> ms = new ArrayList<>();
        for (Generation g : run.generations()) {
            hv.add(g.hypervolume());
            ms.add(g.elapsedMillis());
        }
        return new RunView(folder, run.settings(), run.evaluations(), baselines, hv, ms);
    }

    /**
     * The labelled markers among the evaluations, in this order: no caching, FORA 2 and 3, and T-GATE-like with the
     * gate at half the run (the search report's baselines); the other seeded heuristics are ordinary candidates.
     */
    public static List<Evaluation> baselines(List<Evaluation> evaluations) {
        if (evaluations.isEmpty()) return List.of();
        int steps = evaluations.get(0).schedule().steps(), blocks = evaluations.get(0).schedule().blocks();
        List<CacheSchedule> wanted = new ArrayList<>();
        wanted.add(CacheSchedule.noCache(steps, blocks));
        if (steps > 2) wanted.add(Heuristics.fora(steps, blocks, 2).schedule());
        if (steps > 3) wanted.add(Heuristics.fora(steps, blocks, 3).schedule());
        if (steps > 1) wanted.add(Heuristics.tgate(steps, blocks, Math.max(1, steps / 2)).schedule());
        List<Evaluation> out = new ArrayList<>();
        for (CacheSchedule w : wanted) {
            for (Evaluation e : evaluations) {
                if (e.schedule().equals(w)) {
                    out.add(e);
                    break;
                }
            }
        }
        return out;
    }

    public int generationsDone() {
        return hypervolumes.size();
    }

    /** Whether the run has all the generations its settings ask for. */
    public boolean finished() {
        return settings != null && generationsDone() >= settings.generations();
    }
}
