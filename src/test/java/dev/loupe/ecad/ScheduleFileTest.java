package dev.loupe.ecad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.loupe.LoupeException;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.Component;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleFileTest {
    @TempDir Path dir;

    @Test
    void everyPublishedPixArtScheduleExportsBackToTheSameJsonTree() {
        List<Path> files = Fixtures.publishedPixArt();
        assertEquals(3, files.size());
        for (Path file : files) {
            ScheduleFile s = ScheduleFile.read(file);
            assertEquals(JsonParser.parseString(Fixtures.text(file)), JsonParser.parseString(s.toJson()), file.toString());
            assertEquals(20, s.steps());
            assertEquals(28, s.blocks());
            s.validateFor(20, 28);
        }
    }

    @Test
    void publishedBitsAreReadAsRecomputeFlags() {
        ScheduleFile fast = ScheduleFile.read(Fixtures.schedule("pixart_alpha_256_ours_fast.json"));
        JsonObject steps = JsonParser.parseString(Fixtures.text(Fixtures.schedule("pixart_alpha_256_ours_fast.json")))
                .getAsJsonObject().getAsJsonObject("cache_schedule").getAsJsonObject("schedule");
        for (int s = 0; s < 20; s++) {
            for (int b = 0; b < 28; b++) {
                for (Component c : Component.values()) {
                    boolean expected = steps.getAsJsonObject(String.format("%03d", s)).getAsJsonObject("" + b)
                            .get(c.key()).getAsBoolean();
                    assertEquals(expected, fast.schedule().recompute(s, b, c));
                }
            }
        }
        assertEquals("handcrafted-nsga2-pw-bf_gen_358_cand_014", fast.name());
        assertEquals(2.134989471744, fast.totalMacsT().orElseThrow(), 1e-12);
        assertEquals(285689806848L, fast.macsPerStep().orElseThrow()[0]);
        ScheduleFile.Latency l = fast.latency().orElseThrow();
        assertEquals(100, l.batchSize());
        assertEquals(5, l.latencies().size());
        assertEquals("NVIDIA RTX A6000", l.gpu());
    }

    @Test
    void attributesAreComputedAsEcadDoesForThePublishedBits() {
        for (Path file : Fixtures.publishedPixArt()) {
            ScheduleFile s = ScheduleFile.read(file);
            JsonObject computed = ScheduleFile.affectedAttributes(s.schedule());
            for (String k : computed.keySet()) assertEquals(s.attributes().get(k), computed.get(k), file + " " + k);
            // a file made from the same bits gets the same attributes
            ScheduleFile made = ScheduleFile.builder(s.schedule()).build();
            assertEquals(s.attributes(), made.attributes());
        }
    }

    @Test
    void aBuiltFileHasConfigAndMetricsInEcadsLayoutAndReadsBack() {
        CacheSchedule schedule = CacheSchedule.noCache(3, 2).with(1, 0, Component.ATTN2, false);
        long[] macs = {100, 7, 100};
        ScheduleFile f = ScheduleFile.builder(schedule).name("tiny").model("sample-models/pixart-shapes")
                .resolution(64, 48).guidance(4.5).macs(macs)
                .latency(ScheduleFile.Latency.measured(8, "Some CPU", List.of(30.0), List.of(10.0, 12.0)))
                .build();
        Path out = dir.resolve("sub/tiny.json");
        f.write(out);
        ScheduleFile back = ScheduleFile.read(out);
        assertEquals(f.schedule(), back.schedule());
        assertEquals("tiny", back.name());
        assertEquals(f.toJsonTree(), back.toJsonTree());
        JsonObject config = back.config();
        assertEquals(64, config.get("height").getAsInt());
        assertEquals(48, config.get("width").getAsInt());
        assertEquals(4.5, config.get("guidance_scale").getAsDouble());
        assertEquals(3, config.get("num_inference_steps").getAsInt());
        assertEquals("sample-models/pixart-shapes", back.model().orElseThrow());
        JsonObject metrics = back.metrics();
        assertEquals(207, metrics.get("total_macs").getAsLong());
        assertEquals(207e-12, metrics.get("total_macs_T").getAsDouble(), 1e-24);
        assertEquals(7, metrics.getAsJsonObject("by_inference_step").getAsJsonObject("001").get("macs").getAsLong());
        ScheduleFile.Latency l = back.latency().orElseThrow();
        assertEquals(11.0, l.avg(), 1e-12);
        assertEquals(2, l.numSamples());
        assertEquals(1, l.warmupSteps());
        assertEquals("Some CPU", l.gpu());
        JsonObject attributes = back.attributes();
        assertEquals(1, attributes.get("num_affected_steps").getAsInt());
        assertEquals(1, attributes.get("num_affected_blocks").getAsInt());
        assertEquals(1, attributes.get("total_num_affected_blocks").getAsInt());
        assertTrue(f.toJson().startsWith("{\n    \"cache_schedule\": {\n        \"num_blocks\": 2,"), f.toJson());
        assertFalse(Files.exists(out.resolveSibling("tiny.json.tmp")));
    }

    @Test
    void changingTheBitsKeepsUnknownKeysButDropsStaleMetrics() {
        ScheduleFile fast = ScheduleFile.read(Fixtures.schedule("pixart_alpha_256_ours_fast.json"));
        ScheduleFile same = fast.toBuilder().config("extra", new JsonPrimitive(1)).build();
        assertTrue(same.metrics().has("total_macs"));
        assertEquals(1, same.config().get("extra").getAsInt());
        CacheSchedule changed = fast.schedule().with(0, 0, Component.FF, !fast.schedule().recompute(0, 0, Component.FF));
        ScheduleFile edited = fast.toBuilder().schedule(changed).build();
        assertEquals(changed, edited.schedule());
        assertTrue(edited.metrics().entrySet().isEmpty());
        assertEquals(fast.name(), edited.name());
        assertEquals(ScheduleFile.affectedAttributes(changed), edited.attributes());
    }

    @Test
    void validateForNamesTheFileAndBothShapes() {
        ScheduleFile fast = ScheduleFile.read(Fixtures.schedule("pixart_alpha_256_ours_fast.json"));
        LoupeException e = assertThrows(LoupeException.class, () -> fast.validateFor(10, 4));
        assertTrue(e.getMessage().startsWith(Fixtures.schedule("pixart_alpha_256_ours_fast.json").toString() + ": "));
        assertTrue(e.getMessage().contains("20 steps x 28 blocks") && e.getMessage().contains("10 steps x 4 blocks"),
                e.getMessage());
    }

    @Test
    void aFluxScheduleIsRefusedWithItsShapeAndStatistics() {
        Path flux = Fixtures.schedule("flux_256_ours_fast.json");
        FluxScheduleException e = assertThrows(FluxScheduleException.class, () -> ScheduleFile.read(flux));
        assertEquals(flux + ": this is a FLUX schedule (19 double + 38 single blocks); Loupe's models are PixArt-style"
                + " (attn1, attn2 and ff in every block), so it cannot drive them", e.getMessage());
        ScheduleStats stats = e.stats().orElseThrow();
        assertEquals(6, stats.components().size());
        assertEquals(20 * 19, stats.components().get(0).total());
        assertEquals(20 * 38, stats.components().get(3).total());
        assertEquals(20 * 57 * 3, stats.total());
        assertEquals(57 * 3, stats.recomputePerStep()[0]); // step 0 computes everything
    }

    @Test
    void malformedFilesGetOneMessageNamingTheFileAndTheProblem() {
        String good = ScheduleFile.builder(CacheSchedule.noCache(2, 2)).name("g").build().toJson();
        assertProblem("{", "not JSON");
        assertProblem("", "empty");
        assertProblem("[1, 2]", "top level is an array");
        assertProblem("{\"config\": {}}", "no \"cache_schedule\"");
        assertProblem(good.replace("\"num_blocks\": 2", "\"num_blocks\": 3"), "step 000 has 2 blocks, but num_blocks declares 3");
        assertProblem(good.replace("\"num_inference_steps\": 2,", "\"num_inference_steps\": 3,"),
                "declares 3 steps (num_inference_steps) but its schedule has 2 (step \"002\" is missing)");
        assertProblem(good.replace("\"num_blocks\": 2", "\"num_blocks\": \"2\""), "\"num_blocks\" must be a whole number, found the string \"2\"");
        assertProblem(good.replace("\"num_blocks\": 2", "\"num_blocks\": 2.5"), "\"num_blocks\" must be a whole number");
        assertProblem(good.replaceFirst("\"ff\": true", "\"ff\": 1"), "step 000 block 0: \"ff\" must be true or false, found the number 1");
        assertProblem(good.replaceFirst(",\\s*\"ff\": true", ""), "step 000 block 0 has no \"ff\"");
        assertProblem(good.replace("\"001\"", "\"1\""), "step key \"1\" should be written \"001\"");
        assertProblem(good.replace("\"001\"", "\"002\""), "step key \"002\" is out of range");
        assertProblem(good.replace("\"000\"", "\"x\""), "step key \"x\" is not a step number");
        assertProblem(good.replace("\"config\": {", "\"config\": {\"num_inference_steps\": 5"),
                "\"config.num_inference_steps\" is 5 but the schedule has 2 steps");
        assertProblem(good.substring(0, good.length() / 2), "not JSON");
    }

    private static void assertProblem(String json, String expected) {
        LoupeException e = assertThrows(LoupeException.class, () -> ScheduleFile.parse(json, "bad.json"));
        assertTrue(e.getMessage().startsWith("bad.json: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage() + "\n  expected: " + expected);
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
