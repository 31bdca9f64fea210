package dev.loupe.ecad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.loupe.LoupeException;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.Component;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/** Any schedule survives a round trip with whatever else the file holds; no corruption crashes the reader. */
class ScheduleFilePropertiesTest {
    private static final Gson COMPACT = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
    private static final Gson PRETTY = new GsonBuilder().serializeNulls().setPrettyPrinting().create();
    private static final Set<String> KNOWN = Set.of("cache_schedule", "config", "metrics", "num_blocks",
            "num_inference_steps", "name", "attributes", "schedule", "attn1", "attn2", "ff", "num_single_blocks",
            "latency", "by_inference_step");

    @Property(tries = 60)
    void anyScheduleWithAnyExtraKeysRoundTrips(@ForAll @IntRange(min = 1, max = 12) int steps,
                                              @ForAll @IntRange(min = 1, max = 12) int blocks,
                                              @ForAll Random random, @ForAll("names") String name) {
        JsonObject tree = randomDocument(steps, blocks, random, name);
        CacheSchedule expected = bitsOf(tree, steps, blocks);
        String text = (random.nextBoolean() ? COMPACT : PRETTY).toJson(tree);

        ScheduleFile file = ScheduleFile.parse(text, "random.json");
        assertEquals(expected, file.schedule());
        assertEquals(name, file.name());
        assertEquals(tree, JsonParser.parseString(file.toJson()));
        assertEquals(file, ScheduleFile.parse(file.toJson(), "again.json"));
    }

    @Property(tries = 40)
    void aScheduleBuiltFromBitsReadsBackToTheSameBits(@ForAll @IntRange(min = 1, max = 30) int steps,
                                                     @ForAll @IntRange(min = 1, max = 30) int blocks,
                                                     @ForAll Random random) {
        boolean[] genome = new boolean[steps * blocks * 3];
        for (int i = 0; i < genome.length; i++) genome[i] = random.nextBoolean();
        CacheSchedule s = CacheSchedule.fromGenome(steps, blocks, genome, "g");
        ScheduleFile back = ScheduleFile.parse(ScheduleFile.builder(s).build().toJson(), "built.json");
        assertEquals(s, back.schedule());
        back.validateFor(steps, blocks);
    }

    @Property(tries = 300)
    void corruptedTextNeverCrashesTheReader(@ForAll Random random, @ForAll @IntRange(min = 0, max = 2) int how) {
        String text = COMPACT.toJson(randomDocument(1 + random.nextInt(4), 1 + random.nextInt(4), random, "c"));
        String broken = switch (how) {
            case 0 -> text.substring(0, random.nextInt(text.length())); // truncated
            case 1 -> { // a random stretch deleted
                int from = random.nextInt(text.length());
                int to = Math.min(text.length(), from + 1 + random.nextInt(12));
                yield text.substring(0, from) + text.substring(to);
            }
            default -> { // a random character put somewhere
                int at = random.nextInt(text.length() + 1);
                String alphabet = "{}[]\":,01tfn-.e x\\";
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                yield text.substring(0, at) + c + text.substring(at);
            }
        };
        Statistics.collect(readOrExplain(broken));
        Statistics.coverage(c -> c.check("rejected").percentage(p -> p > 50));
    }

    @Property(tries = 300)
    void corruptedTreesNeverCrashTheReader(@ForAll Random random, @ForAll @IntRange(min = 1, max = 4) int mutations) {
        JsonObject tree = randomDocument(1 + random.nextInt(4), 1 + random.nextInt(4), random, "m");
        for (int i = 0; i < mutations; i++) mutate(tree, random);
        Statistics.collect(readOrExplain(COMPACT.toJson(tree)));
        Statistics.coverage(c -> {
            c.check("rejected").count(n -> n > 30);
            c.check("read").count(n -> n > 30);
        });
    }

    @Property(tries = 40)
    void corruptedPublishedSchedulesNeverCrashTheReader(@ForAll Random random) {
        List<java.nio.file.Path> files = Fixtures.publishedPixArt();
        JsonObject tree = JsonParser.parseString(Fixtures.text(files.get(random.nextInt(files.size()))))
                .getAsJsonObject();
        mutate(tree, random);
        Statistics.collect(readOrExplain(COMPACT.toJson(tree)));
    }

    /** Either a schedule that writes back to what was read, or one LoupeException line that names the source. */
    private static String readOrExplain(String text) {
        try {
            ScheduleFile f = ScheduleFile.parse(text, "corrupt.json");
            assertEquals(JsonParser.parseString(text), JsonParser.parseString(f.toJson()));
            return "read";
        } catch (LoupeException e) {
            assertTrue(e.getMessage().startsWith("corrupt.json: "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            return "rejected";
        }
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().withCharRange(' ', '~').withChars("\"\\\n\té日").ofMaxLength(20);
    }

    /** A valid ECAD document with random bits and random unknown keys at every level that allows them. */
    static JsonObject randomDocument(int steps, int blocks, Random random, String name) {
        boolean[] genome = new boolean[steps * blocks * 3];
        for (int i = 0; i < genome.length; i++) genome[i] = random.nextBoolean();
        CacheSchedule s = CacheSchedule.fromGenome(steps, blocks, genome, name);
        ScheduleFile.Builder b = ScheduleFile.builder(s).name(name);
        if (random.nextBoolean()) b.resolution(1 + random.nextInt(1024), 1 + random.nextInt(1024)).guidance(4.5);
        if (random.nextBoolean()) {
            long[] macs = new long[steps];
            for (int i = 0; i < steps; i++) macs[i] = random.nextLong() >>> 20;
            b.macs(macs);
        }
        JsonObject tree = b.build().toJsonTree();
        addExtras(tree, random);
        JsonObject cs = tree.getAsJsonObject("cache_schedule");
        addExtras(cs, random);
        addExtras(cs.getAsJsonObject("attributes"), random);
        addExtras(tree.getAsJsonObject("config"), random);
        addExtras(tree.getAsJsonObject("metrics"), random);
        for (JsonElement step : cs.getAsJsonObject("schedule").asMap().values()) {
            for (JsonElement block : step.getAsJsonObject().asMap().values()) {
                if (random.nextInt(4) == 0) {
                    JsonObject custom = new JsonObject();
                    custom.addProperty("name", "compute_attn_tgate");
                    JsonObject kwargs = new JsonObject();
                    kwargs.addProperty("gate_step", random.nextInt(20));
                    custom.add("kwargs", kwargs);
                    block.getAsJsonObject().add("custom_compute_attn", custom);
                }
                if (random.nextInt(8) == 0) addExtras(block.getAsJsonObject(), random);
            }
        }
        return tree;
    }

    private static void addExtras(JsonObject o, Random random) {
        int n = random.nextInt(3);
        for (int i = 0; i < n; i++) {
            String key = "x_" + Integer.toString(random.nextInt(1 << 20), 36);
            if (!KNOWN.contains(key)) o.add(key, randomValue(random, 2));
        }
    }

    private static JsonElement randomValue(Random random, int depth) {
        return switch (random.nextInt(depth > 0 ? 9 : 7)) {
            case 0 -> JsonNull.INSTANCE;
            case 1 -> new JsonPrimitive(random.nextBoolean());
            case 2 -> new JsonPrimitive(random.nextInt());
            case 3 -> new JsonPrimitive(random.nextLong());
            case 4 -> new JsonPrimitive(random.nextDouble() * Math.pow(10, random.nextInt(30) - 15));
            case 5 -> new JsonPrimitive("s\"\\/\n\t日é" + random.nextInt());
            case 6 -> new JsonPrimitive("");
            case 7 -> {
                JsonArray a = new JsonArray();
                for (int i = random.nextInt(4); i > 0; i--) a.add(randomValue(random, depth - 1));
                yield a;
            }
            default -> {
                JsonObject o = new JsonObject();
                for (int i = random.nextInt(4); i > 0; i--) o.add("k" + i, randomValue(random, depth - 1));
                yield o;
            }
        };
    }

    /**
     * Deletes a random member, or replaces a random value with one of another type; an emptied tree gets a
     * random member back.
     */
    private static void mutate(JsonObject root, Random random) {
        List<Map.Entry<JsonObject, String>> members = new ArrayList<>();
        collect(root, members);
        if (members.isEmpty()) {
            root.add("k" + random.nextInt(100), randomValue(random, 1));
            return;
        }
        Map.Entry<JsonObject, String> target = members.get(random.nextInt(members.size()));
        if (random.nextBoolean()) {
            target.getKey().remove(target.getValue());
        } else {
            target.getKey().add(target.getValue(), randomValue(random, 1));
        }
    }

    private static void collect(JsonElement e, List<Map.Entry<JsonObject, String>> out) {
        if (e instanceof JsonObject o) {
            for (Map.Entry<String, JsonElement> m : o.entrySet()) {
                out.add(Map.entry(o, m.getKey()));
                collect(m.getValue(), out);
            }
        } else if (e instanceof JsonArray a) {
            a.forEach(x -> collect(x, out));
        }
    }

    private static CacheSchedule bitsOf(JsonObject tree, int steps, int blocks) {
        JsonObject schedule = tree.getAsJsonObject("cache_schedule").getAsJsonObject("schedule");
        boolean[] genome = new boolean[steps * blocks * 3];
        for (int s = 0; s < steps; s++) {
            for (int b = 0; b < blocks; b++) {
                for (Component c : Component.values()) {
                    genome[CacheSchedule.index(s, b, c, blocks)] = schedule.getAsJsonObject(String.format("%03d", s))
                            .getAsJsonObject(Integer.toString(b)).get(c.key()).getAsBoolean();
                }
            }
        }
        return CacheSchedule.fromGenome(steps, blocks, genome, "");
    }
}
