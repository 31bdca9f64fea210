package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.loupe.eval.RewardModel;
import dev.loupe.models.LoupeHome;
import dev.loupe.world.WorldBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DitDenoiseCommandTest {
    private static final int SCENES = 4;

    @Test
    void theShippedModelDenoisesAndTheNoiselessStartIsTheTrueScenesReward() {
        MacsCommandTest.Result r = MacsCommandTest.run("dit", "denoise", "--scenes", "" + SCENES, "--every", "10");
        assertEquals(0, r.code(), r.err());
        List<double[]> rows = rows(r.out());
        // six one-step rows (t, estimate, input, gain), then starts at sampler steps 0, 10 and 20 (t, steps run, reward)
        assertEquals(9, rows.size(), r.out());
        for (double[] row : rows.subList(0, 6)) {
            assertTrue(row[1] > row[2], "the model's estimate is no better than the noisy input at t = " + row[0] + ":\n" + r.out());
            assertEquals(row[1] - row[2], row[3], 0.11);
        }
        assertEquals(1.0, rows.get(6)[0], 1e-9);
        assertEquals(20, rows.get(6)[1]);
        assertEquals(10, rows.get(7)[1]);
        double[] last = rows.get(8);
        assertEquals(0.0, last[0], 1e-9);
        assertEquals(0, last[1]);
        try (NDManager nd = NDManager.newBaseManager();
                WorldBatch truth = WorldBatch.render(nd, TrainDitCommand.ADHERENCE_FIRST_SEED, SCENES, 32)) {
            double sum = 0;
            for (float v : RewardModel.shipped(nd).score(truth.images(), truth.captions())) sum += v;
            assertEquals(String.format(Locale.ROOT, "%.3f", sum / SCENES), String.format(Locale.ROOT, "%.3f", last[2]),
                    "no sampler step from t = 0 leaves the true scenes");
        }
    }

    @Test
    void aMissingModelFolderIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-model");
        MacsCommandTest.Result r = MacsCommandTest.run("dit", "denoise", "--model", missing.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no-such-model"), r.err());
        assertEquals(2, MacsCommandTest.run("dit", "denoise", "--scenes", "0").code());
        assertTrue(LoupeHome.sampleModels().resolve("sample-dit").toFile().isDirectory());
    }

    /** The numbers of every table row. */
    private static List<double[]> rows(String out) {
        List<double[]> rows = new ArrayList<>();
        Pattern number = Pattern.compile("[-+]?\\d+(\\.\\d+)?");
        for (String line : out.split("\n")) {
            if (!line.startsWith("| ") || line.contains("---") || line.startsWith("| t ")) continue;
            List<Double> values = new ArrayList<>();
            Matcher m = number.matcher(line);
            while (m.find()) values.add(Double.parseDouble(m.group()));
            rows.add(values.stream().mapToDouble(Double::doubleValue).toArray());
        }
        return rows;
    }
}
