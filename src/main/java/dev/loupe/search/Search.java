package dev.loupe.search;

import dev.loupe.Progress;
import java.nio.file.Path;

/** ECAD's NSGA-II search for caching schedules (in progress: the API is fixed, the search lands next). */
public final class Search {
    private final SearchSettings settings;
    private final Path runDir;

    public Search(SearchSettings settings, Path runDir) {
        this.settings = settings;
        this.runDir = runDir;
    }

    public SearchRun run(boolean resume, Progress progress, SearchListener listener) {
        throw new UnsupportedOperationException("the search is not implemented yet");
    }
}
