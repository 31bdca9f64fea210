package dev.loupe.search;

import java.util.List;

/** Placeholder of the search branch's generation record. */
public record Generation(int index, List<Evaluation> population, List<Evaluation> frontier, double hypervolume,
        long elapsedMillis) {}
