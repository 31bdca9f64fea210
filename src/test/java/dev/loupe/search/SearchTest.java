package dev.loupe.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.LoupeException;
import dev.loupe.Progress;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.ecad.Heuristics;
import dev.loupe.ecad.ScheduleFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The search on a tiny random model: what it writes, that it never scores a genome twice, pause and resume. */
class SearchTest {
    @TempDir
    static Path shared;
    static Path model;

    @BeforeAll
    static void tinyModel() throws Exception {
        model = TinyModel.write(shared.resolve("tiny"), 4, 2);
    }

    /** Records every genome scored. */
    static final class Recorder implements SearchListener {
        final List<Evaluation> scored = new ArrayList<>();
        final List<Generation> generations = new ArrayList<>();

        @Override
        public void evaluated(Evaluation e, int done, int total) {
            assertTrue(done >= 1 && done <= total);
            scored.add(e);
        }

        @Override
        public void generationFinished(Generation g, SearchRun runSoFar) {
            generations.add(g);
            assertEquals(g, runSoFar.generations().get(runSoFar.generations().size() - 1));
        }
    }

    @Test
    void aSearchWritesItsRunAndScoresEachGenomeOnce(@TempDir Path dir) {
        Path runDir = dir.resolve("run");
        Recorder recorder = new Recorder();
        // a random model's rewards are near 0; half the quality objective is PSNR, so the frontier has an area
        SearchRun run = new Search(TinyModel.settings(model).withFidelityWeight(0.5), runDir, 2).run(false, Progress.NONE, recorder);

        assertTrue(run.complete());
        assertEquals(2, run.generations().size());
        assertEquals(2, recorder.generations.size());
        assertEquals(run.generations().get(0), recorder.generations.get(0));
        Set<String> keys = new HashSet<>();
        for (Evaluation e : recorder.scored) assertTrue(keys.add(e.key()), "scored twice: " + e.name());
        assertEquals(keys, run.evaluations().stream().map(Evaluation::key).collect(Collectors.toSet()));
        // every genome of every population was scored (so cache hits were real hits, not skipped work)
        for (Generation g : run.generations()) {
            assertEquals(6, g.population().size());
            for (Evaluation e : g.population()) assertTrue(keys.contains(e.key()));
            assertFalse(g.frontier().isEmpty());
            for (Evaluation f : g.frontier()) assertTrue(f.caches());
            assertTrue(g.hypervolume() > 0 && g.hypervolume() < 1, "hypervolume " + g.hypervolume());
        }
        assertTrue(run.generations().get(1).hypervolume() >= run.generations().get(0).hypervolume() - 1e-12,
                "NSGA-II is elitist: the frontier's hypervolume never drops");

        Evaluation base = run.baseline();
        assertNotNull(base);
        assertEquals(CacheSchedule.noCache(4, 2), base.schedule());
        assertEquals(1.0, base.macSpeedup());
        assertEquals(1.0, base.measuredSpeedup());
        Map<String, Evaluation> byKey = run.evaluations().stream().collect(Collectors.toMap(Evaluation::key, Function.identity()));
        Evaluation fora2 = byKey.get(Heuristics.fora(4, 2, 2).schedule().key());
        assertNotNull(fora2, "the report's FORA N=2 baseline is always scored");
        assertTrue(fora2.macSpeedup() > 1);
        assertTrue(Double.isFinite(fora2.measuredSpeedup()) && fora2.measuredSpeedup() > 0);
        assertTrue(fora2.psnr() < base.psnr());
        for (Evaluation f : run.frontier()) {
            assertTrue(Double.isFinite(f.measuredSpeedup()), "measured: " + f.name());
            ScheduleFile file = ScheduleFile.read(runDir.resolve("schedules").resolve(RunFolder.fileName(f.name()) + ".json"));
            assertEquals(f.schedule(), file.schedule());
            assertTrue(file.latency().isPresent());
            assertEquals(f.weightMacs(), 2 * java.util.Arrays.stream(file.macsPerStep().orElseThrow()).sum(), "per image, 2 images");
        }
        // the front the workspace draws (speedup by MACs against reward, over every scored schedule) is timed too
        List<Evaluation> caching = run.evaluations().stream().filter(Evaluation::caches).toList();
        for (Evaluation f : Frontier.bySpeedupAndReward(caching, Evaluation::macSpeedup)) {
            assertTrue(Double.isFinite(f.measuredSpeedup()), "measured: " + f.name());
        }
        assertTrue(Files.isRegularFile(runDir.resolve("frontier.json")));
        String report = assertDoesNotThrowRead(runDir.resolve("report.md"));
        assertTrue(report.contains("| No caching |") && report.contains("| FORA N=2 |") && report.contains("Frontier: fastest"), report);
        assertTrue(report.contains("## Hypervolume per generation"));

        LoupeException again = assertThrows(LoupeException.class,
                () -> new Search(TinyModel.settings(model), runDir, 1).run(false, Progress.NONE, SearchListener.NONE));
        assertTrue(again.getMessage().contains("already holds a search run"), again.getMessage());
    }

    private static String assertDoesNotThrowRead(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            throw new AssertionError(p + " unreadable", e);
        }
    }

    /** Cancels once {@code after} schedules have been scored. */
    static final class CancelAfter implements Progress, SearchListener {
        final int after;
        final List<Evaluation> scored = new ArrayList<>();
        volatile boolean cancelled;

        CancelAfter(int after) {
            this.after = after;
        }

        @Override
        public void update(double fraction, String message) {}

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public void evaluated(Evaluation e, int done, int total) {
            scored.add(e);
            if (scored.size() >= after) cancelled = true;
        }

        @Override
        public void generationFinished(Generation g, SearchRun runSoFar) {}
    }

    @Test
    void aPausedSearchResumesWithoutScoringAnythingAgain(@TempDir Path dir) {
        Path runDir = dir.resolve("run");
        SearchSettings settings = TinyModel.settings(model).withPopulation(6, 3);
        CancelAfter pause = new CancelAfter(9); // in generation 1: 4 baselines + 6 seeds - duplicates, then a few children
        SearchRun paused = new Search(settings, runDir, 1).run(false, pause, pause);
        assertFalse(paused.complete());
        assertEquals(pause.scored.size(), paused.evaluations().size(), "every finished evaluation is on disk");
        assertFalse(Files.exists(runDir.resolve("report.md")));

        Recorder resumed = new Recorder();
        SearchRun done = new Search(settings, runDir, 2).run(true, Progress.NONE, resumed);
        assertTrue(done.complete());
        Set<String> before = pause.scored.stream().map(Evaluation::key).collect(Collectors.toSet());
        for (Evaluation e : resumed.scored) assertFalse(before.contains(e.key()), "scored again after resuming: " + e.name());
        for (Evaluation e : paused.evaluations()) {
            Evaluation kept = done.evaluations().stream().filter(x -> x.key().equals(e.key())).findFirst().orElseThrow();
            assertEquals(e.reward(), kept.reward());
            assertEquals(e.name(), kept.name());
        }
        assertEquals(before.size() + resumed.scored.size(), done.evaluations().size());
        assertTrue(Files.isRegularFile(runDir.resolve("report.md")));
    }

    @Test
    void aSearchPausedWhileTimingItsFrontResumesAndTimesIt(@TempDir Path dir) {
        Path runDir = dir.resolve("run");
        SearchSettings settings = TinyModel.settings(model).withPopulation(6, 2);
        AtomicInteger renderChecks = new AtomicInteger();
        Progress pauseWhileTiming = new Progress() {
            volatile boolean timing;

            @Override
            public void update(double fraction, String message) {
                if (message.startsWith("measuring")) timing = true;
            }

            @Override
            public boolean isCancelled() {
                return timing && renderChecks.incrementAndGet() > 2; // after two renders of the timing
            }
        };
        SearchRun paused = new Search(settings, runDir, 1).run(false, pauseWhileTiming, SearchListener.NONE);
        assertTrue(renderChecks.get() > 2, "cancelled inside the timing");
        assertTrue(paused.complete(), "every generation was finished before the timing");
        assertFalse(Files.exists(runDir.resolve("report.md")), "no report from a cancelled timing");
        assertTrue(paused.frontier().stream().noneMatch(e -> Double.isFinite(e.measuredSpeedup())));

        SearchRun done = new Search(settings, runDir, 1).run(true, Progress.NONE, SearchListener.NONE);
        assertTrue(Files.isRegularFile(runDir.resolve("report.md")));
        for (Evaluation f : done.frontier()) assertTrue(Double.isFinite(f.measuredSpeedup()), "timed on resuming: " + f.name());
    }

    @Test
    void anEvaluatorScoresAnImportedSchedule() throws Exception {
        try (ScheduleEvaluator evaluator = new ScheduleEvaluator(TinyModel.settings(model))) {
            CacheSchedule fora = Heuristics.fora(4, 2, 2).schedule();
            Evaluation e = evaluator.evaluate("imported", fora, "imported");
            assertEquals("imported", e.name());
            assertTrue(e.reward() >= 0 && e.reward() <= 1);
            assertTrue(e.weightMacs() < evaluator.uncachedWeightMacs());
            assertEquals((double) evaluator.uncachedWeightMacs() / e.weightMacs(), e.macSpeedup(), 1e-12);
            Evaluation none = evaluator.evaluate("none", CacheSchedule.noCache(4, 2), Evaluation.BASELINE);
            assertEquals(dev.loupe.eval.Fidelity.MAX_PSNR_DB, none.psnr());
            assertEquals(evaluator.hasFeatureDistance() ? 0.0 : Double.NaN, none.featureDistance(), 1e-6);
            LoupeException wrong = assertThrows(LoupeException.class,
                    () -> evaluator.evaluate("wrong", CacheSchedule.noCache(5, 2), "imported"));
            assertTrue(wrong.getMessage().contains("5 steps"), wrong.getMessage());
        }
    }
}
