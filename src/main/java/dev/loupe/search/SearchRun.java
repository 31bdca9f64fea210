package dev.loupe.search;

import java.nio.file.Path;
import java.util.List;

/** Placeholder of the search branch's run folder reader. */
public final class SearchRun {
    public static SearchRun open(Path runDir) {
        throw new UnsupportedOperationException("search not merged yet");
    }

    public SearchSettings settings() { throw new UnsupportedOperationException(); }

    public List<Generation> generations() { throw new UnsupportedOperationException(); }

    public List<Evaluation> evaluations() { throw new UnsupportedOperationException(); }

    public Evaluation baseline() { throw new UnsupportedOperationException(); }

    public List<Evaluation> heuristics() { throw new UnsupportedOperationException(); }

    public List<Evaluation> frontier() { throw new UnsupportedOperationException(); }
}
