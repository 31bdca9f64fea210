package dev.loupe.search;

import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.ecad.Heuristics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * A small finished search run for the Frontier workspace's tests: a tiny random text-to-image model saved as a model
 * folder, and a run folder (written through {@link RunFolder}) whose schedules the real {@link ScheduleEvaluator}
 * scored: the uncached baseline, FORA 2 and 3, and two generations of random schedules.
 */
public final class FrontierRunFixture {
    public static final int STEPS = 4, BLOCKS = 2;

    private FrontierRunFixture() {}

    /** Saves a tiny random model into {@code folder} ({@link TinyModel}). */
    public static Path tinyModel(Path folder) throws IOException {
        return TinyModel.write(folder, STEPS, BLOCKS);
    }

    public static SearchSettings settings(Path model, int population, int generations) {
        return SearchSettings.defaults(model).withCalibration(List.of("a red circle on a plain white background"), List.of(0L))
                .withPopulation(population, generations).withSampler(STEPS, 3.0);
    }

    /** Writes a finished two-generation run into {@code runDir}; returns it. */
    public static Path finishedRun(Path runDir, Path model) {
        SearchSettings settings = settings(model, 4, 2);
        RunFolder folder = new RunFolder(runDir);
        folder.create(settings);
        Random random = new Random(11);
        List<Evaluation> all = new ArrayList<>();
        try (ScheduleEvaluator evaluator = new ScheduleEvaluator(settings)) {
            all.add(evaluator.evaluate("no-cache", CacheSchedule.noCache(STEPS, BLOCKS), Evaluation.BASELINE));
            for (int n : new int[] {2, 3}) {
                Heuristics.Heuristic h = Heuristics.fora(STEPS, BLOCKS, n);
                all.add(evaluator.evaluate(h.name(), h.schedule(), Evaluation.HEURISTIC));
            }
            List<Evaluation> population = new ArrayList<>(all.subList(1, 3));
            for (int g = 0; g < 2; g++) {
                for (int i = 0; i < 2; i++) {
                    boolean[] genome = new boolean[STEPS * BLOCKS * CacheSchedule.COMPONENTS];
                    for (int b = 0; b < genome.length; b++) genome[b] = b < BLOCKS * 3 || random.nextDouble() < 0.6;
                    String name = String.format("g%03d_i%03d", g, i);
                    Evaluation e = evaluator.evaluate(name, CacheSchedule.fromGenome(STEPS, BLOCKS, genome, name),
                            Evaluation.generationOrigin(g));
                    all.add(e);
                    population.add(e);
                }
                population.sort(Comparator.comparingDouble(Evaluation::reward).reversed());
                List<Evaluation> survivors = List.copyOf(population.subList(0, 4));
                List<Evaluation> front = Frontier.of(survivors, 0);
                folder.writeGeneration(new Generation(g, survivors, front, hypervolume(front), 1000L * (g + 1)));
                population = new ArrayList<>(survivors);
            }
        }
        folder.writeEvaluations(all);
        return runDir;
    }

    /** Area dominated by the front in (MAC speedup - 1, reward), enough for a plot that must rise or stay. */
    static double hypervolume(List<Evaluation> front) {
        List<Evaluation> sorted = new ArrayList<>(front);
        sorted.sort(Comparator.comparingDouble(Evaluation::macSpeedup));
        double area = 0, x0 = 1;
        for (int i = sorted.size() - 1; i >= 0; i--) {
            Evaluation e = sorted.get(i);
            double left = i == 0 ? x0 : sorted.get(i - 1).macSpeedup();
            area += Math.max(0, e.macSpeedup() - left) * Math.max(0, e.reward());
        }
        return area;
    }
}
