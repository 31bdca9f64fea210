package dev.loupe.search;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A search run as it is on disk (finished or not): its settings, finished generations and every evaluated
 * schedule. Immutable snapshot.
 */
public final class SearchRun {
    private final Path dir;
    private final SearchSettings settings;
    private final List<Generation> generations;
    private final List<Evaluation> evaluations;

    SearchRun(Path dir, SearchSettings settings, List<Generation> generations, List<Evaluation> evaluations) {
        this.dir = dir;
        this.settings = settings;
        this.generations = List.copyOf(generations);
        this.evaluations = List.copyOf(evaluations);
    }

    /**
     * Reads a run folder; a missing folder, a folder that is not a run, or a corrupt file is a
     * {@link dev.loupe.LoupeException} that names the file.
     */
    public static SearchRun open(Path runDir) {
        RunFolder folder = new RunFolder(runDir);
        SearchSettings settings = folder.readSettings();
        List<Evaluation> evaluations = folder.readEvaluations(settings);
        return new SearchRun(runDir, settings, folder.readGenerations(), evaluations);
    }

    public Path dir() {
        return dir;
    }

    public SearchSettings settings() {
        return settings;
    }

    /** Finished generations, in order (generation 0 is the seeded initial population). */
    public List<Generation> generations() {
        return generations;
    }

    /** Every unique evaluated genome, in the order they were evaluated. */
    public List<Evaluation> evaluations() {
        return evaluations;
    }

    /** The uncached schedule's evaluation, or null before it is evaluated. */
    public Evaluation baseline() {
        for (Evaluation e : evaluations) if (Evaluation.BASELINE.equals(e.origin())) return e;
        return null;
    }

    /** The heuristic schedules of the initial population evaluated so far. */
    public List<Evaluation> heuristics() {
        List<Evaluation> out = new ArrayList<>();
        for (Evaluation e : evaluations) if (Evaluation.HEURISTIC.equals(e.origin())) out.add(e);
        return out;
    }

    /** The frontier of the last finished generation (empty before generation 0 finishes). */
    public List<Evaluation> frontier() {
        return generations.isEmpty() ? List.of() : generations.get(generations.size() - 1).frontier();
    }

    /** Whether every generation of the settings is finished. */
    public boolean complete() {
        return generations.size() >= settings.generations();
    }

    /** The evaluation with this name, or null. */
    public Evaluation evaluation(String name) {
        for (Evaluation e : evaluations) if (e.name().equals(name)) return e;
        return null;
    }
}
