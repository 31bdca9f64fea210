package dev.loupe.search;

/** Placeholder of the search branch's listener. */
public interface SearchListener {
    void evaluated(Evaluation e, int done, int total);

    void generationFinished(Generation g, SearchRun runSoFar);
}
