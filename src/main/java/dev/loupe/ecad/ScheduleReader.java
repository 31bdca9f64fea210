package dev.loupe.ecad;

import static dev.loupe.ecad.ScheduleJson.describe;
import static dev.loupe.ecad.ScheduleJson.stepKey;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.loupe.LoupeException;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.Component;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/** Checks the {@code cache_schedule} of a parsed document and turns its bits into a {@link CacheSchedule}. */
final class ScheduleReader {
    /** Far above any real sampler or model, low enough that steps x blocks x 3 fits an int. */
    private static final int MAX_DIMENSION = 10_000;
    private static final Pattern WHOLE_NUMBER = Pattern.compile("-?\\d+");
    private static final Pattern STEP_NUMBER = Pattern.compile("\\d{1,9}");

    private final JsonObject document;
    private final String source;

    ScheduleReader(JsonObject document, String source) {
        this.document = document;
        this.source = source;
    }

    CacheSchedule read() {
        JsonElement csElement = document.get(ScheduleFile.CACHE_SCHEDULE);
        if (csElement == null) {
            throw fail("not an ECAD schedule: there is no \"cache_schedule\" at the top level (found "
                    + keys(document) + ")");
        }
        if (!csElement.isJsonObject()) throw fail("\"cache_schedule\" must be an object, found " + describe(csElement));
        JsonObject cs = csElement.getAsJsonObject();
        FluxSchedule.check(cs, source);

        int blocks = dimension(cs, ScheduleFile.NUM_BLOCKS);
        int steps = dimension(cs, ScheduleFile.NUM_STEPS);
        String name = "";
        JsonElement nameElement = cs.get(ScheduleFile.NAME);
        if (nameElement != null && !nameElement.isJsonNull()) {
            if (!(nameElement instanceof JsonPrimitive p) || !p.isString()) {
                throw fail("\"cache_schedule.name\" must be a string, found " + describe(nameElement));
            }
            name = p.getAsString();
        }
        JsonElement scheduleElement = cs.get(ScheduleFile.SCHEDULE);
        if (scheduleElement == null) throw fail("\"cache_schedule\" has no \"schedule\" (the bits)");
        if (!scheduleElement.isJsonObject()) {
            throw fail("\"cache_schedule.schedule\" must be an object of steps, found " + describe(scheduleElement));
        }
        boolean[] genome = bits(scheduleElement.getAsJsonObject(), steps, blocks);
        checkConfigSteps(steps);
        return CacheSchedule.fromGenome(steps, blocks, genome, name);
    }

    private boolean[] bits(JsonObject schedule, int steps, int blocks) {
        if (schedule.size() != steps) {
            throw fail("declares " + steps + " steps (num_inference_steps) but its schedule has " + schedule.size()
                    + firstMissingStep(schedule, steps));
        }
        boolean[] genome = new boolean[steps * blocks * CacheSchedule.COMPONENTS];
        int position = 0;
        for (Map.Entry<String, JsonElement> stepEntry : schedule.entrySet()) {
            int step = position++;
            checkStepKey(stepEntry.getKey(), step, steps);
            String where = "step " + stepKey(step);
            if (!stepEntry.getValue().isJsonObject()) {
                throw fail(where + " must be an object of blocks, found " + describe(stepEntry.getValue()));
            }
            JsonObject stepBlocks = stepEntry.getValue().getAsJsonObject();
            for (String key : stepBlocks.keySet()) {
                OptionalInt b = index(key);
                if (b.isEmpty() || b.getAsInt() >= blocks) {
                    throw fail(where + " has a block \"" + key + "\", but blocks are numbered 0 to " + (blocks - 1)
                            + " (num_blocks is " + blocks + ")");
                }
            }
            if (stepBlocks.size() != blocks) {
                throw fail(where + " has " + stepBlocks.size() + " blocks, but num_blocks declares " + blocks
                        + firstMissingBlock(stepBlocks, blocks));
            }
            for (int b = 0; b < blocks; b++) {
                JsonElement entry = stepBlocks.get(Integer.toString(b));
                String block = where + " block " + b;
                if (!entry.isJsonObject()) {
                    throw fail(block + " must be an object with attn1, attn2 and ff, found " + describe(entry));
                }
                for (Component c : Component.values()) {
                    JsonElement bit = entry.getAsJsonObject().get(c.key());
                    if (bit == null) throw fail(block + " has no \"" + c.key() + "\" (needs attn1, attn2 and ff)");
                    if (!(bit instanceof JsonPrimitive p) || !p.isBoolean()) {
                        throw fail(block + ": \"" + c.key() + "\" must be true or false, found " + describe(bit));
                    }
                    genome[CacheSchedule.index(step, b, c, blocks)] = p.getAsBoolean();
                }
            }
        }
        return genome;
    }

    private void checkStepKey(String key, int expected, int steps) {
        if (key.equals(stepKey(expected))) return;
        if (!STEP_NUMBER.matcher(key).matches()) {
            throw fail("step key \"" + key + "\" is not a step number (steps are \"000\" to \"" + stepKey(steps - 1)
                    + "\")");
        }
        int step = Integer.parseInt(key);
        if (step >= steps) {
            throw fail("step key \"" + key + "\" is out of range: steps run from \"000\" to \"" + stepKey(steps - 1)
                    + "\"");
        }
        if (step == expected) {
            throw fail("step key \"" + key + "\" should be written \"" + stepKey(expected) + "\"");
        }
        throw fail("step keys out of order: expected \"" + stepKey(expected) + "\" at position " + (expected + 1)
                + ", found \"" + key + "\"");
    }

    private static String firstMissingStep(JsonObject schedule, int steps) {
        for (int s = 0; s < Math.min(steps, schedule.size() + 1); s++) {
            if (!schedule.has(stepKey(s))) return " (step \"" + stepKey(s) + "\" is missing)";
        }
        return "";
    }

    private static String firstMissingBlock(JsonObject stepBlocks, int blocks) {
        for (int b = 0; b < blocks; b++) {
            if (!stepBlocks.has(Integer.toString(b))) return " (block " + b + " is missing)";
        }
        return "";
    }

    private int dimension(JsonObject cs, String key) {
        JsonElement e = cs.get(key);
        if (e == null) throw fail("\"cache_schedule\" has no \"" + key + "\"");
        if (!(e instanceof JsonPrimitive p) || !p.isNumber() || !WHOLE_NUMBER.matcher(p.getAsString()).matches()) {
            throw fail("\"" + key + "\" must be a whole number, found " + describe(e));
        }
        String digits = p.getAsString();
        if (digits.startsWith("-") || digits.replaceFirst("^0+", "").isEmpty()) {
            throw fail("\"" + key + "\" must be at least 1, found " + digits);
        }
        if (digits.length() > 9 || Integer.parseInt(digits) > MAX_DIMENSION) {
            throw fail("\"" + key + "\" is " + digits + ", more than Loupe handles (" + MAX_DIMENSION + ")");
        }
        return Integer.parseInt(digits);
    }

    /** Loupe writes the step count into config too; if a file has both, they must agree. */
    private void checkConfigSteps(int steps) {
        if (!(document.get(ScheduleFile.CONFIG) instanceof JsonObject config)) return;
        JsonElement e = config.get(ScheduleFile.NUM_STEPS);
        if (e instanceof JsonPrimitive p && p.isNumber() && p.getAsDouble() != steps) {
            throw fail("\"config.num_inference_steps\" is " + p + " but the schedule has " + steps + " steps");
        }
    }

    private static OptionalInt index(String key) {
        if (!key.matches("0|[1-9]\\d{0,8}")) return OptionalInt.empty();
        return OptionalInt.of(Integer.parseInt(key));
    }

    private static String keys(JsonObject o) {
        if (o.size() == 0) return "an empty object";
        String list = String.join(", ", o.keySet().stream().limit(6).map(k -> "\"" + k + "\"").toList());
        return (o.size() > 6 ? list + ", ..." : list);
    }

    private LoupeException fail(String problem) {
        return new LoupeException(source + ": " + problem);
    }

    static Optional<Integer> wholeNumber(JsonElement e) {
        if (e instanceof JsonPrimitive p && p.isNumber() && WHOLE_NUMBER.matcher(p.getAsString()).matches()
                && p.getAsString().length() <= 9) {
            return Optional.of(Integer.parseInt(p.getAsString()));
        }
        return Optional.empty();
    }
}
