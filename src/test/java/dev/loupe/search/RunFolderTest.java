package dev.loupe.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.LoupeException;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.ecad.Heuristics;
import dev.loupe.eval.reward.RewardPrompt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run folder written by {@link RunFolder} reads back as the same {@link SearchRun}; damage is named. */
class RunFolderTest {
    static Evaluation evaluation(String name, CacheSchedule s, long macs, double reward, String origin) {
        return new Evaluation(name, s.named(name), macs, 1000.0 / macs, reward, 30 + reward, 0.1 * reward, Double.NaN, origin);
    }

    @Test
    void aRunFolderRoundTrips(@TempDir Path dir) {
        SearchSettings settings = SearchSettings.defaults(dir.resolve("no-model")).withPopulation(4, 2).withSampler(3, 3.0);
        RunFolder folder = new RunFolder(dir.resolve("run"));
        folder.create(settings);
        Evaluation base = evaluation("default", CacheSchedule.noCache(3, 2), 1000, 0.9, Evaluation.BASELINE);
        Evaluation fora = evaluation("fora", Heuristics.fora(3, 2, 2).schedule(), 700, 0.8, Evaluation.HEURISTIC);
        Evaluation child = evaluation("g001_000", Heuristics.fora(3, 2, 3).schedule(), 400, 0.5, Evaluation.generationOrigin(1))
                .withMeasuredSpeedup(2.25);
        folder.writeEvaluations(List.of(base, fora, child));
        Generation g0 = new Generation(0, List.of(base, fora), List.of(fora), 0.1, 1234);
        Generation g1 = new Generation(1, List.of(fora, child), List.of(child, fora), 0.3, 2345);
        folder.writeGeneration(g0);
        folder.writeGeneration(g1);

        SearchRun run = SearchRun.open(dir.resolve("run"));
        assertEquals(settings, run.settings());
        assertEquals(List.of(base, fora, child), run.evaluations());
        assertEquals(List.of(g0, g1), run.generations());
        assertEquals(base, run.baseline());
        assertEquals(List.of(fora), run.heuristics());
        assertEquals(List.of(child, fora), run.frontier());
        assertEquals(2.25, run.frontier().get(0).measuredSpeedup());
        assertTrue(Double.isNaN(run.baseline().measuredSpeedup()));
        assertTrue(run.complete());
    }

    @Test
    void aFreshRunHasNoEvaluationsYet(@TempDir Path dir) {
        new RunFolder(dir).create(SearchSettings.defaults(dir.resolve("m")));
        SearchRun run = SearchRun.open(dir);
        assertTrue(run.evaluations().isEmpty());
        assertNull(run.baseline());
        assertTrue(run.frontier().isEmpty());
    }

    @Test
    void damagedRunsAreNamed(@TempDir Path dir) throws Exception {
        LoupeException missing = assertThrows(LoupeException.class, () -> SearchRun.open(dir.resolve("nowhere")));
        assertTrue(missing.getMessage().contains("nowhere"), missing.getMessage());
        LoupeException notRun = assertThrows(LoupeException.class, () -> SearchRun.open(dir));
        assertTrue(notRun.getMessage().contains("settings.json"), notRun.getMessage());

        RunFolder folder = new RunFolder(dir);
        folder.create(SearchSettings.defaults(dir.resolve("m")));
        Files.writeString(folder.evaluationsFile(), "{\"evaluations\": [ {\"name\": 3 ");
        LoupeException corrupt = assertThrows(LoupeException.class, () -> SearchRun.open(dir));
        assertTrue(corrupt.getMessage().contains("evaluations.json"), corrupt.getMessage());

        folder.writeEvaluations(List.of());
        Files.writeString(folder.generationFile(1), "{}");
        LoupeException gap = assertThrows(LoupeException.class, () -> SearchRun.open(dir));
        assertTrue(gap.getMessage().contains("gen_000.json"), gap.getMessage());

        Files.writeString(folder.settingsFile(), "{\"model\": \"m\", \"prompts\": [], \"seeds\": [0]}");
        LoupeException settings = assertThrows(LoupeException.class, () -> SearchRun.open(dir));
        assertTrue(settings.getMessage().contains("settings.json"), settings.getMessage());
    }

    @Test
    void theCalibrationPromptsAreShapesWorldCaptions() {
        List<String> prompts = SearchSettings.calibrationPrompts();
        assertEquals(8, prompts.size());
        for (String p : prompts) RewardPrompt.parse(p);
        SearchSettings d = SearchSettings.defaults(Path.of("no-such-model"));
        assertEquals(List.of(0L), d.seeds());
        assertEquals(24, d.population());
        assertEquals(30, d.generations());
    }
}
