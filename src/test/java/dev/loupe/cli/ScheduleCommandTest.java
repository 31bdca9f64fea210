package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ScheduleCommandTest {
    @TempDir Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cl = LoupeCommand.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(ScheduleCommandTest.class.getResource("/fixtures/ecad-schedules/" + name).toURI());
    }

    @Test
    void showPrintsDimensionsCountsPerComponentAndPerStepAndTheMacs() throws Exception {
        Path file = fixture("pixart_alpha_256_ours_fastest.json");
        Run r = run("schedule", "show", file.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());

        // the expected figures, counted straight from the JSON
        JsonObject doc = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        JsonObject steps = doc.getAsJsonObject("cache_schedule").getAsJsonObject("schedule");
        int[] perComponent = new int[3];
        StringBuilder perStep = new StringBuilder();
        for (JsonElement step : steps.asMap().values()) {
            int n = 0;
            for (JsonElement block : step.getAsJsonObject().asMap().values()) {
                String[] keys = {"attn1", "attn2", "ff"};
                for (int c = 0; c < 3; c++) {
                    if (block.getAsJsonObject().get(keys[c]).getAsBoolean()) {
                        perComponent[c]++;
                        n++;
                    }
                }
            }
            perStep.append(perStep.length() == 0 ? "" : " ").append(n);
        }
        String out = r.out();
        assertTrue(out.contains("name        " + doc.getAsJsonObject("cache_schedule").get("name").getAsString()), out);
        assertTrue(out.contains("dimensions  20 steps x 28 blocks x 3 components = 1680 bits"), out);
        String[] labels = {"attn1", "attn2", "ff"};
        for (int c = 0; c < 3; c++) {
            String line = String.format(Locale.ROOT, "%-5s %6d of 560 (%.1f%%)", labels[c], perComponent[c],
                    100.0 * perComponent[c] / 560);
            assertTrue(out.contains(line), line + "\n" + out);
        }
        assertTrue(out.contains("per step    " + perStep + "  (of 84 each, steps 0..19)"), out);
        double macsT = doc.getAsJsonObject("metrics").get("total_macs_T").getAsDouble();
        assertTrue(out.contains(String.format(Locale.ROOT, "total MACs  %.4f T", macsT)), out);
    }

    @Test
    void aFluxScheduleIsShownWithANoteThatLoupeCannotUseIt() throws Exception {
        Run r = run("schedule", "show", fixture("flux_256_ours_fast.json").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("20 steps x (19 double + 38 single blocks)"), r.out());
        assertTrue(r.out().contains("single_proj_mlp"), r.out());
        assertTrue(r.out().contains("note        this is a FLUX schedule"), r.out());
    }

    @Test
    void aBrokenFileGivesOneLineNamingTheFileAndAFailingExitCode() throws IOException {
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"cache_schedule\": {\"num_blocks\": 28, \"num_inference_steps\": 20, "
                + "\"schedule\": {\"000\": {\"0\": {\"attn1\": true, \"attn2\": \"yes\", \"ff\": true}}}}}");
        Run r = run("schedule", "show", broken.toString());
        assertEquals(1, r.code());
        assertEquals("", r.out());
        assertEquals("loupe: " + broken + ": declares 20 steps (num_inference_steps) but its schedule has 1 "
                + "(step \"001\" is missing)" + System.lineSeparator(), r.err());

        Files.writeString(broken, "{\"cache_schedule\": {\"num_blocks\": 1, \"num_inference_steps\": 1, "
                + "\"schedule\": {\"000\": {\"0\": {\"attn1\": true, \"attn2\": \"yes\", \"ff\": true}}}}}");
        r = run("schedule", "show", broken.toString());
        assertEquals(1, r.code());
        assertEquals("loupe: " + broken + ": step 000 block 0: \"attn2\" must be true or false, found the string "
                + "\"yes\"" + System.lineSeparator(), r.err());

        Path missing = dir.resolve("missing.json");
        r = run("schedule", "show", missing.toString());
        assertEquals(1, r.code());
        assertEquals("loupe: " + missing + ": no such file" + System.lineSeparator(), r.err());
    }
}
