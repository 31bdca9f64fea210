package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loupe.diffusion.PixArtFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class MacsCommandTest {
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        CommandLine cl = LoupeCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static long total(String output, String what) {
        Matcher m = Pattern.compile("^total " + what + ": (\\d+) \\(", Pattern.MULTILINE).matcher(output);
        assertTrue(m.find(), "no 'total " + what + "' line in:\n" + output);
        return Long.parseLong(m.group(1));
    }

    static JsonObject published(String name) throws Exception {
        return JsonParser.parseString(Files.readString(fixture(name))).getAsJsonObject();
    }

    static Path fixture(String name) {
        return PixArtFixture.resource("ecad-schedules/pixart_alpha_256_" + name + ".json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ours_fast", "ours_faster", "ours_fastest"})
    void printsEcadsTotalForItsPublishedSchedules(String name) throws Exception {
        Result r = run("macs", "--arch", "pixart-alpha-256", "--schedule", fixture(name).toString());
        assertEquals(0, r.code(), r.err());
        JsonObject metrics = published(name).getAsJsonObject("metrics");
        assertEquals(metrics.get("total_macs").getAsLong(), total(r.out(), "weight MACs"));
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "%.6f", metrics.get("total_macs_T").getAsDouble())));
        long stepOne = metrics.getAsJsonObject("by_inference_step").getAsJsonObject("001").get("macs").getAsLong();
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "%,d", stepOne)), "step 001 row");
    }

    @Test
    void withoutAScheduleEveryStepIsFull() throws Exception {
        Result r = run("macs", "--arch", "pixart-alpha-256", "--steps", "20");
        assertEquals(0, r.code(), r.err());
        // ECAD's step 0 is always computed in full
        long full = published("ours_fast").getAsJsonObject("metrics").getAsJsonObject("by_inference_step")
                .getAsJsonObject("000").get("macs").getAsLong();
        assertEquals(20 * full, total(r.out(), "weight MACs"));
        assertEquals(total(r.out(), "weight MACs") + total(r.out(), "attention MACs"), total(r.out(), "MACs"));
    }

    @Test
    void aConfigFileWorksLikeTheBuiltInArchitecture() throws Exception {
        Path config = Files.createTempFile("config", ".json");
        try {
            Files.writeString(config, dev.loupe.diffusion.PixArtConfig.pixartAlpha256().toJson().toString());
            Result builtIn = run("macs", "--arch", "pixart-alpha-256", "--batch", "4", "--caption-tokens", "77");
            Result file = run("macs", "--arch", config.toString(), "--batch", "4", "--caption-tokens", "77");
            assertEquals(0, file.code(), file.err());
            assertEquals(total(builtIn.out(), "MACs"), total(file.out(), "MACs"));
        } finally {
            Files.deleteIfExists(config);
        }
    }

    @Test
    void anUnknownArchitectureIsOneClearLine() {
        Result r = run("macs", "--arch", "pixart-omega");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("loupe: pixart-omega is neither a built-in architecture"), r.err());
    }
}
