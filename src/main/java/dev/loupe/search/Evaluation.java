package dev.loupe.search;

import dev.loupe.diffusion.cache.CacheSchedule;

/** Placeholder of the search branch's evaluation record. */
public record Evaluation(String name, CacheSchedule schedule, long weightMacs, double macSpeedup, double reward,
        double psnr, double featureDistance, double measuredSpeedup, String origin) {}
