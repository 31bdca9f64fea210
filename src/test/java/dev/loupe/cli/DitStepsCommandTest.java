package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.diffusion.PixArtFixture;
import dev.loupe.tensor.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DitStepsCommandTest {
    @TempDir Path dir;

    private MacsCommandTest.Result steps(String schedule, Path out) throws Exception {
        List<String> args = new ArrayList<>(List.of("dit", "steps", "--weights", PixArtFixture.weights().toString(),
                "--config", PixArtFixture.meta().toString(), "--io", PixArtFixture.io().toString(), "--out", out.toString()));
        if (schedule != null) {
            Path file = dir.resolve(schedule + ".json");
            Files.writeString(file, PixArtFixture.scheduleJson(schedule).toString());
            args.addAll(List.of("--schedule", file.toString()));
        }
        return MacsCommandTest.run(args.toArray(String[]::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nocache", "fora2", "mixed"})
    void reproducesTheReferenceOutputsUnderEachSchedule(String schedule) throws Exception {
        Path out = dir.resolve("out.safetensors");
        MacsCommandTest.Result r = steps(schedule, out);
        assertEquals(0, r.code(), r.err());
        assertOutputs(out, schedule);
    }

    @Test
    void withoutAScheduleNothingIsCached() throws Exception {
        Path out = dir.resolve("plain.safetensors");
        MacsCommandTest.Result r = steps(null, out);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("nothing cached"));
        assertOutputs(out, "nocache");
    }

    @Test
    void weightsOfAnotherModelAreRefusedWithTheKeysThatDiffer() throws Exception {
        List<String> args = List.of("dit", "steps", "--weights", PixArtFixture.io().toString(), "--config",
                PixArtFixture.meta().toString(), "--io", PixArtFixture.io().toString(), "--out",
                dir.resolve("x.safetensors").toString());
        MacsCommandTest.Result r = MacsCommandTest.run(args.toArray(String[]::new));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("missing keys (scale_shift_table") && r.err().contains("unexpected keys (encoder_attention_mask"),
                r.err());
        assertTrue(Files.notExists(dir.resolve("x.safetensors")));
    }

    @Test
    void anIncompleteIoFileIsNamedWithWhatItLacks() throws Exception {
        Path io = dir.resolve("io.safetensors");
        try (NDManager nd = NDManager.newBaseManager()) {
            Map<String, NDArray> all = SafeTensors.read(PixArtFixture.io(), nd);
            Map<String, NDArray> some = new java.util.LinkedHashMap<>();
            some.put("step0.latents", all.get("step0.latents"));
            some.put("step1.latents", all.get("step1.latents"));
            some.put("encoder_hidden_states", all.get("encoder_hidden_states"));
            some.put("timesteps", all.get("timesteps"));
            SafeTensors.write(io, some);
        }
        MacsCommandTest.Result r = MacsCommandTest.run("dit", "steps", "--weights", PixArtFixture.weights().toString(),
                "--config", PixArtFixture.meta().toString(), "--io", io.toString(), "--out", dir.resolve("o.safetensors").toString());
        assertEquals(1, r.code());
        assertEquals("loupe: " + io + ": timesteps of shape (5) do not fit 2 steps (expected [2] or [2, B])", r.err().trim());
    }

    private static void assertOutputs(Path out, String schedule) {
        try (NDManager nd = NDManager.newBaseManager()) {
            Map<String, NDArray> got = SafeTensors.read(out, nd);
            Map<String, NDArray> io = SafeTensors.read(PixArtFixture.io(), nd);
            assertEquals(PixArtFixture.STEPS, got.size());
            for (int s = 0; s < PixArtFixture.STEPS; s++) {
                NDArray expected = io.get(schedule + ".step" + s + ".out");
                float diff = got.get("step" + s + ".out").sub(expected).abs().max().getFloat();
                assertTrue(diff < 1e-4, schedule + " step " + s + ": " + diff);
            }
        }
    }
}
