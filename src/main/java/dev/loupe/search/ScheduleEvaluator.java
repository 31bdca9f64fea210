package dev.loupe.search;

import dev.loupe.diffusion.cache.CacheSchedule;

/** Placeholder of the search branch's evaluator. */
public final class ScheduleEvaluator implements AutoCloseable {
    public ScheduleEvaluator(SearchSettings settings) {}

    public Evaluation evaluate(String name, CacheSchedule schedule, String origin) {
        throw new UnsupportedOperationException("search not merged yet");
    }

    @Override
    public void close() {}
}
