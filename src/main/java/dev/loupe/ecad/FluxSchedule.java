package dev.loupe.ecad;

import static dev.loupe.ecad.ScheduleJson.stepKey;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Recognises ECAD's FLUX schedules (flux_cache_schedule.py) so that they are refused with a clear message. */
final class FluxSchedule {
    static final String NUM_SINGLE_BLOCKS = "num_single_blocks", SINGLE_PREFIX = "single_";
    static final List<String> DOUBLE_COMPONENTS = List.of("full_attn", "full_ff", "full_ff_context");
    static final List<String> SINGLE_COMPONENTS = List.of("single_attn", "single_proj_mlp", "single_proj_out");

    private FluxSchedule() {}

    /** Throws a {@link FluxScheduleException} if {@code cs} (a cache_schedule object) is a FLUX schedule. */
    static void check(JsonObject cs, String source) {
        if (!isFlux(cs)) return;
        Optional<Integer> doubles = ScheduleReader.wholeNumber(cs.get(ScheduleFile.NUM_BLOCKS));
        Optional<Integer> singles = ScheduleReader.wholeNumber(cs.get(NUM_SINGLE_BLOCKS));
        String blocks = doubles.isPresent() && singles.isPresent()
                ? doubles.get() + " double + " + singles.get() + " single blocks" : "double and single blocks";
        throw new FluxScheduleException(source, "this is a FLUX schedule (" + blocks + "); Loupe's models are "
                + "PixArt-style (attn1, attn2 and ff in every block), so it cannot drive them",
                stats(cs, doubles.orElse(-1), singles.orElse(-1)).orElse(null));
    }

    private static boolean isFlux(JsonObject cs) {
        if (cs.has(NUM_SINGLE_BLOCKS)) return true;
        if (!(cs.get(ScheduleFile.SCHEDULE) instanceof JsonObject schedule)) return false;
        for (JsonElement step : schedule.asMap().values()) {
            if (!(step instanceof JsonObject blocks)) continue;
            for (Map.Entry<String, JsonElement> block : blocks.entrySet()) {
                if (block.getKey().startsWith(SINGLE_PREFIX)) return true;
                if (block.getValue() instanceof JsonObject entry) {
                    for (String c : DOUBLE_COMPONENTS) if (entry.has(c)) return true;
                    for (String c : SINGLE_COMPONENTS) if (entry.has(c)) return true;
                }
            }
        }
        return false;
    }

    /** The statistics of a well-formed FLUX schedule; empty if anything does not fit. */
    private static Optional<ScheduleStats> stats(JsonObject cs, int doubles, int singles) {
        Optional<Integer> steps = ScheduleReader.wholeNumber(cs.get(ScheduleFile.NUM_STEPS));
        if (steps.isEmpty() || steps.get() < 1 || doubles < 0 || singles < 0
                || !(cs.get(ScheduleFile.SCHEDULE) instanceof JsonObject schedule) || schedule.size() != steps.get()) {
            return Optional.empty();
        }
        int[] doubleCounts = new int[3], singleCounts = new int[3], perStep = new int[steps.get()];
        for (int s = 0; s < steps.get(); s++) {
            if (!(schedule.get(stepKey(s)) instanceof JsonObject blocks) || blocks.size() != doubles + singles) {
                return Optional.empty();
            }
            for (int b = 0; b < doubles + singles; b++) {
                boolean single = b >= doubles;
                String key = single ? SINGLE_PREFIX + (b - doubles) : Integer.toString(b);
                List<String> components = single ? SINGLE_COMPONENTS : DOUBLE_COMPONENTS;
                if (!(blocks.get(key) instanceof JsonObject entry)) return Optional.empty();
                for (int c = 0; c < 3; c++) {
                    if (!(entry.get(components.get(c)) instanceof JsonPrimitive p) || !p.isBoolean()) {
                        return Optional.empty();
                    }
                    if (p.getAsBoolean()) {
                        (single ? singleCounts : doubleCounts)[c]++;
                        perStep[s]++;
                    }
                }
            }
        }
        List<ScheduleStats.Count> counts = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            counts.add(new ScheduleStats.Count(DOUBLE_COMPONENTS.get(c), doubleCounts[c], steps.get() * doubles));
        }
        for (int c = 0; c < 3; c++) {
            counts.add(new ScheduleStats.Count(SINGLE_COMPONENTS.get(c), singleCounts[c], steps.get() * singles));
        }
        String name = cs.get(ScheduleFile.NAME) instanceof JsonPrimitive p && p.isString() ? p.getAsString() : "";
        return Optional.of(new ScheduleStats(name, steps.get(), steps.get() + " steps x (" + doubles + " double + "
                + singles + " single blocks) x 3 components (FLUX)", counts, perStep, 3 * (doubles + singles)));
    }
}
