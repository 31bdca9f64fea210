package dev.loupe.search;

import dev.loupe.Progress;
import java.nio.file.Path;

/** Placeholder of the search branch's NSGA-II search. */
public final class Search {
    public Search(SearchSettings settings, Path runDir) {}

    public SearchRun run(boolean resume, Progress progress, SearchListener listener) {
        throw new UnsupportedOperationException("search not merged yet");
    }
}
