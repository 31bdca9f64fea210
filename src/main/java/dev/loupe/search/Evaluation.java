package dev.loupe.search;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.diffusion.cache.CacheSchedule;
import java.util.Objects;

/**
 * One caching schedule scored on a run's calibration set.
 *
 * @param name            the schedule's name (a heuristic's ECAD name, or {@code gNNN_iNNN} for a searched one)
 * @param weightMacs      weight MACs of rendering the whole calibration batch under the schedule ({@code MacCounter})
 * @param macSpeedup      uncached weight MACs / these
 * @param reward          mean reward of the calibration images (RewardModel, in [0, 1], higher is better)
 * @param psnr            mean PSNR in dB against the uncached render of the same prompts and seeds
 * @param featureDistance mean feature distance to the uncached render (see {@link ScheduleEvaluator}); NaN if none
 * @param measuredSpeedup uncached wall time / this schedule's, measured in one run; NaN until measured
 * @param origin          {@code "baseline"}, {@code "heuristic"} or {@code "generation N"}
 */
public record Evaluation(String name, CacheSchedule schedule, long weightMacs, double macSpeedup, double reward,
        double psnr, double featureDistance, double measuredSpeedup, String origin) {
    public static final String BASELINE = "baseline", HEURISTIC = "heuristic";
    /** PSNR at and above which the fidelity loss is 0 (see {@link #qualityLoss}). */
    public static final double PSNR_CEILING_DB = 40;

    public Evaluation {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(origin, "origin");
    }

    public static String generationOrigin(int generation) {
        return "generation " + generation;
    }

    /** The genome key under which evaluations are cached. */
    public String key() {
        return schedule.key();
    }

    public Evaluation withMeasuredSpeedup(double speedup) {
        return new Evaluation(name, schedule, weightMacs, macSpeedup, reward, psnr, featureDistance, speedup, origin);
    }

    public Evaluation withName(String newName, String newOrigin) {
        return new Evaluation(newName, schedule.named(newName), weightMacs, macSpeedup, reward, psnr, featureDistance,
                measuredSpeedup, newOrigin);
    }

    /**
     * The first search objective (minimised): {@code (1 - w) (1 - reward) + w (1 - min(PSNR, 40) / 40)}; with w = 0
     * it is ECAD's {@code 1 - mean reward}.
     */
    public double qualityLoss(double fidelityWeight) {
        double fidelityLoss = 1 - Math.min(Math.max(psnr, 0), PSNR_CEILING_DB) / PSNR_CEILING_DB;
        return (1 - fidelityWeight) * (1 - reward) + fidelityWeight * fidelityLoss;
    }

    /** Whether the schedule reuses anything at all (the search's constraint). */
    public boolean caches() {
        return schedule.cachedCount() > 0;
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("name", name);
        o.addProperty("origin", origin);
        o.addProperty("steps", schedule.steps());
        o.addProperty("blocks", schedule.blocks());
        o.addProperty("weight_macs", weightMacs);
        o.add("mac_speedup", RunJson.numberOrNull(macSpeedup));
        o.add("reward", RunJson.numberOrNull(reward));
        o.add("psnr", RunJson.numberOrNull(psnr));
        o.add("feature_distance", RunJson.numberOrNull(featureDistance));
        o.add("measured_speedup", RunJson.numberOrNull(measuredSpeedup));
        o.addProperty("recompute", RunJson.bits(schedule));
        return o;
    }

    public static Evaluation fromJson(JsonElement json, String source) {
        JsonObject o = RunJson.object(json, "an evaluation", source);
        String name = RunJson.string(o, "name", source);
        CacheSchedule schedule = RunJson.schedule(RunJson.integer(o, "steps", source), RunJson.integer(o, "blocks", source),
                RunJson.string(o, "recompute", source), name, source);
        return new Evaluation(name, schedule, RunJson.wholeNumber(o, "weight_macs", source),
                RunJson.optionalNumber(o, "mac_speedup", source), RunJson.optionalNumber(o, "reward", source),
                RunJson.optionalNumber(o, "psnr", source), RunJson.optionalNumber(o, "feature_distance", source),
                RunJson.optionalNumber(o, "measured_speedup", source), RunJson.string(o, "origin", source));
    }

    /** Equal figures (NaN equal to NaN) and the same bits: what a round trip must keep. */
    static boolean sameFigures(Evaluation a, Evaluation b) {
        return a.name.equals(b.name) && a.schedule.equals(b.schedule) && a.weightMacs == b.weightMacs
                && Double.compare(a.macSpeedup, b.macSpeedup) == 0 && Double.compare(a.reward, b.reward) == 0
                && Double.compare(a.psnr, b.psnr) == 0 && Double.compare(a.featureDistance, b.featureDistance) == 0
                && Double.compare(a.measuredSpeedup, b.measuredSpeedup) == 0 && a.origin.equals(b.origin);
    }

    static void requireSameShape(Evaluation e, int steps, int blocks, String source) {
        if (e.schedule.steps() != steps || e.schedule.blocks() != blocks) {
            throw new LoupeException(source + ": evaluation '" + e.name + "' is for " + e.schedule.steps() + " steps x "
                    + e.schedule.blocks() + " blocks, not " + steps + " x " + blocks);
        }
    }
}
