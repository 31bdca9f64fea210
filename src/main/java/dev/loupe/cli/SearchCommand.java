package dev.loupe.cli;

import dev.loupe.LoupeException;
import dev.loupe.models.LoupeHome;
import dev.loupe.search.Evaluation;
import dev.loupe.search.Generation;
import dev.loupe.search.Search;
import dev.loupe.search.SearchListener;
import dev.loupe.search.SearchRun;
import dev.loupe.search.SearchSettings;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loupe search}: ECAD's NSGA-II search for caching schedules of the sample text-to-image model. */
@Command(name = "search", mixinStandardHelpOptions = true, description = {
    "Search for caching schedules of a text-to-image model (ECAD): NSGA-II over the recompute/reuse bits of every",
    "step, block and component, seeded with FORA, T-GATE-like and evenly spaced heuristics, trading the reward of",
    "the calibration images (prompts x seeds) against weight MACs. Every evaluation and generation is written to",
    "RUN as it finishes, so a killed search continues with --resume. At the end the frontier's wall-clock speedups",
    "are measured against no caching and RUN/frontier.json and RUN/report.md are written."})
public final class SearchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "RUN", description = "Run folder (new, or an earlier run with --resume).")
    Path out;

    @Option(names = "--resume", description = "Continue the run in RUN from its last finished generation.")
    boolean resume;

    @Option(names = "--pop", paramLabel = "N", description = "Population size (default " + SearchSettings.DEFAULT_POPULATION + ").")
    Integer population;

    @Option(names = "--generations", paramLabel = "N",
            description = "Generations, the seeded one included (default " + SearchSettings.DEFAULT_GENERATIONS + "; with --resume, extends the run).")
    Integer generations;

    @Option(names = "--prompts", paramLabel = "N", description = "Use the first N calibration prompts (default: all 8).")
    Integer prompts;

    @Option(names = "--seeds", paramLabel = "K", description = "Seeds 0 .. K-1 per prompt (default 1).")
    Integer seeds;

    @Option(names = "--model", paramLabel = "DIR", description = "Text-to-image model folder (default: sample-models/sample-dit).")
    Path model;

    @Option(names = "--fidelity-weight", paramLabel = "W", description = "Mix PSNR into the quality objective: "
            + "(1-W)(1-reward) + W(1-min(PSNR,40)/40) (default 0: 1 - reward, as ECAD).")
    Double fidelityWeight;

    @Option(names = "--workers", paramLabel = "N", description = "Schedules scored at once, each on one torch thread when "
            + "N > 1 (default 1: one schedule at a time on every core, which measured faster on 2 cores).")
    Integer workers;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        SearchSettings settings = resume ? resumedSettings() : newSettings();
        if (workers != null && workers < 1) throw new LoupeException("--workers must be at least 1, not " + workers);
        int threads = workers != null ? workers : Search.DEFAULT_WORKERS;
        // parallel workers each on one torch thread, so that they do not fight over the cores
        if (threads > 1 && System.getProperty("ai.djl.pytorch.num_threads") == null) System.setProperty("ai.djl.pytorch.num_threads", "1");
        stdout.printf(Locale.ROOT, "%s %s: %d prompts x %d seeds, population %d, %d generations, %d workers%n",
                resume ? "resuming" : "searching", out, settings.prompts().size(), settings.seeds().size(),
                settings.population(), settings.generations(), threads);
        stdout.flush();
        ProgressLine progress = new ProgressLine(System.err);
        SearchRun run = new Search(settings, out, threads).run(resume, progress, new GenerationLines(stdout, progress, settings));
        progress.finish();
        if (!run.complete()) {
            stdout.printf(Locale.ROOT, "stopped after %d of %d generations; continue with --resume%n", run.generations().size(),
                    settings.generations());
            return 1;
        }
        summarise(stdout, run);
        return 0;
    }

    private SearchSettings newSettings() {
        Path folder = model != null ? model : LoupeHome.sampleModel("sample-dit");
        if (!Files.isDirectory(folder)) throw new LoupeException(folder + ": no such model folder");
        SearchSettings d = SearchSettings.defaults(folder);
        List<String> all = d.prompts();
        int p = prompts != null ? prompts : all.size();
        if (p < 1 || p > all.size()) throw new LoupeException("--prompts must be 1 to " + all.size() + ", not " + p);
        int k = seeds != null ? seeds : d.seeds().size();
        if (k < 1) throw new LoupeException("--seeds must be at least 1, not " + k);
        List<Long> seedList = new ArrayList<>();
        for (long s = 0; s < k; s++) seedList.add(s);
        SearchSettings s = d.withCalibration(all.subList(0, p), seedList)
                .withPopulation(population != null ? population : d.population(), generations != null ? generations : d.generations());
        return fidelityWeight == null ? s : s.withFidelityWeight(fidelityWeight);
    }

    private SearchSettings resumedSettings() {
        if (!Files.isRegularFile(out.resolve("settings.json"))) {
            throw new LoupeException(out + " holds no search run to resume (no settings.json)");
        }
        if (prompts != null || seeds != null || population != null || fidelityWeight != null) {
            throw new LoupeException("--resume continues " + out + " with its own calibration and population; give only "
                    + "--generations to extend it");
        }
        SearchRun run = SearchRun.open(out);
        SearchSettings stored = run.settings();
        if (model != null) stored = stored.withModel(model);
        if (generations == null) return stored;
        int finished = run.generations().size();
        if (generations < finished) {
            throw new LoupeException(out + " already has " + finished + " finished generations, so --generations must be at least "
                    + finished + " (the run is set to " + stored.generations() + ")");
        }
        return stored.withPopulation(stored.population(), generations);
    }

    /** One line per finished generation: scored schedules, hypervolume, frontier size and the time left. */
    private static final class GenerationLines implements SearchListener {
        private final PrintWriter out;
        private final ProgressLine progress;
        private final SearchSettings settings;
        private final long start = System.nanoTime();
        private int scored;
        private int firstIndex = -1;

        GenerationLines(PrintWriter out, ProgressLine progress, SearchSettings settings) {
            this.out = out;
            this.progress = progress;
            this.settings = settings;
        }

        @Override
        public void evaluated(Evaluation e, int done, int total) {
            scored++;
        }

        @Override
        public void generationFinished(Generation g, SearchRun runSoFar) {
            if (firstIndex < 0) firstIndex = g.index();
            long millis = (System.nanoTime() - start) / 1_000_000;
            int doneHere = g.index() - firstIndex + 1;
            int left = settings.generations() - 1 - g.index();
            long eta = millis / doneHere * left;
            progress.finish();
            out.printf(Locale.ROOT, "generation %d/%d: %d scored (%d in all), hypervolume %.4f, frontier %d, elapsed %s, ETA %s%n",
                    g.index(), settings.generations() - 1, scored, runSoFar.evaluations().size(), g.hypervolume(),
                    g.frontier().size(), minutes(millis), minutes(eta));
            out.flush();
            scored = 0;
        }

        private static String minutes(long millis) {
            long s = millis / 1000;
            return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
        }
    }

    private void summarise(PrintWriter out, SearchRun run) {
        Evaluation base = run.baseline();
        out.printf(Locale.ROOT, "%d schedules scored; frontier of %d:%n", run.evaluations().size(), run.frontier().size());
        for (Evaluation e : run.frontier()) {
            out.printf(Locale.ROOT, "  %-44s speedup %5.2fx (MACs %5.2fx)  reward %.4f  PSNR %5.1f dB%n", e.name(),
                    e.measuredSpeedup(), e.macSpeedup(), e.reward(), e.psnr());
        }
        out.printf(Locale.ROOT, "no caching: reward %.4f%n", base.reward());
        Generation last = run.generations().get(run.generations().size() - 1);
        out.printf(Locale.ROOT, "hypervolume %.4f after %d generations; wrote %s and %s%n", last.hypervolume(),
                run.generations().size(), this.out.resolve("frontier.json"), this.out.resolve("report.md"));
    }
}
