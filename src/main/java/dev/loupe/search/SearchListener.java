package dev.loupe.search;

/** Told of a search's progress, on the search's thread (a GUI hands it to its own thread). */
public interface SearchListener {
    /**
     * A schedule was scored (not called for cache hits).
     *
     * @param done  schedules scored so far in this generation
     * @param total schedules this generation needs scored
     */
    void evaluated(Evaluation e, int done, int total);

    /** A generation is finished and written to the run folder; {@code runSoFar} is the run as it is on disk. */
    void generationFinished(Generation g, SearchRun runSoFar);

    SearchListener NONE = new SearchListener() {
        @Override
        public void evaluated(Evaluation e, int done, int total) {}

        @Override
        public void generationFinished(Generation g, SearchRun runSoFar) {}
    };
}
