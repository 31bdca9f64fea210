package dev.loupe.search;

import com.google.gson.JsonPrimitive;
import dev.loupe.LoupeException;
import dev.loupe.Progress;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.MacCounter;
import dev.loupe.ecad.Heuristics;
import dev.loupe.ecad.ScheduleFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.moeaframework.algorithm.NSGAII;
import org.moeaframework.core.PRNG;
import org.moeaframework.core.Solution;
import org.moeaframework.core.initialization.InjectedInitialization;
import org.moeaframework.core.operator.CompoundVariation;
import org.moeaframework.core.operator.binary.BitFlip;
import org.moeaframework.core.operator.binary.HUX;
import org.moeaframework.core.population.NondominatedSortingPopulation;

/**
 * ECAD's search for caching schedules: NSGA-II (MOEA Framework) over the bit genome of a text-to-image model,
 * minimising the quality loss ({@link Evaluation#qualityLoss}) and the weight MACs, under the constraint that a
 * schedule caches something.
 *
 * <ul>
 *   <li>Generation 0 is ECAD's seeded population: {@link Heuristics#initialPopulation} for the model's steps x
 *       blocks (no caching, FORA, attention-only FORA, T-GATE-like, evenly spaced caching). The report's
 *       baselines (no caching, FORA N = 2 and 3, T-GATE-like with the gate at half the run) are scored first
 *       whether or not the population holds them.</li>
 *   <li>Offspring come from binary tournaments on rank and crowding (NSGA-II's original selection), HUX crossover
 *       with the settings' crossover rate and bit-flip mutation with its per-bit rate. Each generation's random
 *       numbers are seeded from its index, so a resumed run breeds what the interrupted one would have.</li>
 *   <li>A genome is scored at most once per run (evaluations are cached by genome); the uncached genomes of a
 *       generation are scored by {@code workers} threads at once, each rendering the whole calibration batch.
 *       Each finished evaluation is written to the run folder at once, so a killed run loses only the renders in
 *       flight.</li>
 *   <li>When the last generation is finished, the wall-clock speedup of the final frontier, of the speedup-reward
 *       front over every scored schedule and of the baselines is
 *       measured in one run (interleaved with the uncached render, median of {@value #TIMING_REPEATS} rounds after
 *       {@value #TIMING_WARMUP} warm-up), and {@code frontier.json} and {@code report.md} are written.</li>
 * </ul>
 * Cancellation ({@link Progress#isCancelled()}) stops after the evaluations in flight; the folder then resumes.
 */
public final class Search {
    public static final int TIMING_WARMUP = 1, TIMING_REPEATS = 3;
    /**
     * Schedules scored at once. Measured on the sample DiT (8 prompts x 2 seeds, 20 steps, 2 cores, load about 3):
     * one worker with 2 torch threads scored a generation of 6 in 13 s, two workers with one torch thread each in 18 s
     * (the batched render, 32 rows of 64 tokens, parallelises well inside libtorch).
     */
    public static final int DEFAULT_WORKERS = 1;
    /** Seed of the heuristic population and base of each generation's seed. */
    public static final long SEED = 0;

    /** One search at a time per run folder in this JVM. */
    private static final Map<Path, ReentrantLock> RUNNING = new ConcurrentHashMap<>();

    private final SearchSettings settings;
    private final Path runDir;
    private final int workers;

    /**
     * A search that scores one schedule at a time, each render of the whole calibration batch using every torch thread:
     * on the 2-core machine this was faster than 2 workers on one torch thread each (see {@link #DEFAULT_WORKERS}).
     */
    public Search(SearchSettings settings, Path runDir) {
        this(settings, runDir, DEFAULT_WORKERS);
    }

    public Search(SearchSettings settings, Path runDir, int workers) {
        if (workers < 1) throw new IllegalArgumentException("at least one worker, not " + workers);
        this.settings = settings;
        this.runDir = runDir;
        this.workers = workers;
    }

    /**
     * Runs (or, with {@code resume}, continues) the search in the run folder and returns the run as it is on disk.
     * Without {@code resume} the folder must not exist or be empty; with it, it must hold a run of the same
     * calibration (prompts, seeds, steps, guidance, fidelity weight) and population, whose generations may be
     * extended by {@link SearchSettings#generations()}.
     */
    public SearchRun run(boolean resume, Progress progress, SearchListener listener) {
        // a paused search's thread may still be finishing a render when Resume starts the next one on its folder
        ReentrantLock lock = RUNNING.computeIfAbsent(runDir.toAbsolutePath().normalize(), dir -> new ReentrantLock());
        if (!lock.tryLock()) {
            if (progress != null) progress.update(-1, "waiting for the stopped search in " + runDir + " to end");
            try {
                lock.lockInterruptibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("cancelled while waiting for the search in " + runDir);
            }
        }
        try {
            return runLocked(resume, progress, listener);
        } finally {
            lock.unlock();
        }
    }

    private SearchRun runLocked(boolean resume, Progress progress, SearchListener listener) {
        RunFolder folder = new RunFolder(runDir);
        Map<String, Evaluation> cache = new LinkedHashMap<>();
        List<Generation> finished = new ArrayList<>();
        if (resume && RunFolder.isRun(runDir)) {
            SearchSettings stored = folder.readSettings();
            if (!stored.sameCalibration(settings) || stored.population() != settings.population()) {
                throw new LoupeException(folder.settingsFile() + ": the run was made with other calibration or population "
                        + "settings; resume it with its own settings (" + stored.images() + " images, population "
                        + stored.population() + ", " + stored.steps() + " steps)");
            }
            for (Evaluation e : folder.readEvaluations(stored)) cache.put(e.key(), e);
            finished.addAll(folder.readGenerations());
            if (stored.generations() != settings.generations()) folder.create(settings);
            if (finished.size() >= settings.generations() && Files.isRegularFile(runDir.resolve(RunFolder.FRONTIER))) {
                return SearchRun.open(runDir);
            }
        } else {
            if (resume) throw new LoupeException(runDir + " holds no search run to resume (no " + RunFolder.SETTINGS + ")");
            requireEmpty(runDir);
            folder.create(settings);
        }
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "search-worker");
            t.setDaemon(true);
            return t;
        });
        try (ScheduleEvaluator evaluator = new ScheduleEvaluator(settings)) {
            try {
                return new Session(folder, evaluator, pool, cache, finished, progress, listener).run();
            } finally {
                // renders in flight cannot be interrupted; they must end before the evaluator's tensors are freed
                pool.shutdownNow();
                awaitWorkers(pool);
            }
        }
    }

    private static void awaitWorkers(ExecutorService pool) {
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    if (pool.awaitTermination(1, TimeUnit.MINUTES)) return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static void requireEmpty(Path dir) {
        if (!Files.exists(dir)) return;
        if (RunFolder.isRun(dir)) throw new LoupeException(dir + " already holds a search run; resume it or choose a new folder");
        if (!Files.isDirectory(dir)) throw new LoupeException(dir + " is a file, not a folder for a search run");
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new LoupeException(dir + " exists and is not a search run; choose a new or empty folder");
            }
        } catch (IOException e) {
            throw new LoupeException(dir + ": cannot read the folder: " + e.getMessage(), e);
        }
    }

    /** A schedule to score, with the name and origin it gets if it is new. */
    private record Candidate(String name, CacheSchedule schedule, String origin) {}

    /** The report's baselines, for any steps x blocks. */
    static List<Heuristics.Heuristic> reportBaselines(int steps, int blocks) {
        List<Heuristics.Heuristic> out = new ArrayList<>();
        out.add(Heuristics.noCache(steps, blocks));
        if (steps > 2) out.add(Heuristics.fora(steps, blocks, 2));
        if (steps > 3) out.add(Heuristics.fora(steps, blocks, 3));
        if (steps > 1) out.add(Heuristics.tgate(steps, blocks, Math.max(1, steps / 2)));
        return out;
    }

    private final class Session {
        private final RunFolder folder;
        private final ScheduleEvaluator evaluator;
        private final ExecutorService pool;
        private final Map<String, Evaluation> cache;
        private final List<Generation> finished;
        private final Progress progress;
        private final SearchListener listener;
        private final SearchProblem problem;
        private final Map<String, Candidate> seedNames = new LinkedHashMap<>();
        private final long startNanos = System.nanoTime();
        private final long elapsedBefore;
        private final int generationsAtStart;
        private int generation;
        private int newInGeneration;
        private int evaluatedThisSession;

        Session(RunFolder folder, ScheduleEvaluator evaluator, ExecutorService pool, Map<String, Evaluation> cache,
                List<Generation> finished, Progress progress, SearchListener listener) {
            this.folder = folder;
            this.evaluator = evaluator;
            this.pool = pool;
            this.cache = cache;
            this.finished = new ArrayList<>(finished);
            this.progress = progress == null ? Progress.NONE : progress;
            this.listener = listener == null ? SearchListener.NONE : listener;
            this.problem = new SearchProblem(evaluator.steps(), evaluator.blocks(), settings.fidelityWeight(),
                    evaluator.uncachedWeightMacs(), this::scored);
            this.elapsedBefore = finished.isEmpty() ? 0 : finished.get(finished.size() - 1).elapsedMillis();
            this.generationsAtStart = finished.size();
        }

        private synchronized Evaluation scored(String key) {
            return cache.get(key);
        }

        SearchRun run() {
            int steps = evaluator.steps(), blocks = evaluator.blocks();
            try {
                List<Candidate> baselines = new ArrayList<>();
                for (Heuristics.Heuristic h : reportBaselines(steps, blocks)) baselines.add(seed(h));
                generation = finished.size();
                score(baselines);

                List<Solution> initial = new ArrayList<>();
                if (finished.isEmpty()) {
                    for (Heuristics.Heuristic h : Heuristics.initialPopulation(steps, blocks, settings.population(), SEED)) {
                        Candidate c = seed(h);
                        seedNames.putIfAbsent(c.schedule().key(), c);
                        initial.add(problem.solutionOf(h.schedule()));
                    }
                } else {
                    Generation last = finished.get(finished.size() - 1);
                    for (Evaluation e : last.population()) {
                        synchronized (this) {
                            cache.putIfAbsent(e.key(), e);
                        }
                        initial.add(problem.solutionOf(e.schedule()));
                    }
                }
                NSGAII nsga = new Algorithm(initial);
                generation = finished.isEmpty() ? 0 : finished.size() - 1;
                PRNG.setSeed(seedOf(generation));
                nsga.step(); // initialisation: generation 0, or the last finished generation again (all cached)
                if (finished.isEmpty()) finish(nsga, 0);
                while (finished.size() < settings.generations()) {
                    generation = finished.size();
                    newInGeneration = 0;
                    PRNG.setSeed(seedOf(generation));
                    nsga.step();
                    finish(nsga, generation);
                }
                measureAndReport();
            } catch (CancellationException c) { // the user's, from scoring or timing: the run folder is left resumable
                progress.update(-1, "paused after " + finished.size() + " generations; resume to continue");
            }
            return SearchRun.open(folder.dir());
        }

        private Candidate seed(Heuristics.Heuristic h) {
            String origin = h.family() == Heuristics.Family.NO_CACHE ? Evaluation.BASELINE : Evaluation.HEURISTIC;
            return new Candidate(h.name(), h.schedule().named(h.name()), origin);
        }

        private long seedOf(int g) {
            return SEED * 1_000_003L + g;
        }

        private void finish(NSGAII nsga, int index) {
            List<Evaluation> population = new ArrayList<>();
            for (Solution s : nsga.getPopulation()) population.add(scored(problem.scheduleOf(s).key()));
            List<Evaluation> frontier = Frontier.of(population, settings.fidelityWeight());
            long elapsed = elapsedBefore + (System.nanoTime() - startNanos) / 1_000_000;
            Generation g = new Generation(index, population, frontier, problem.hypervolume(frontier), elapsed);
            folder.writeGeneration(g);
            finished.add(g);
            int done = finished.size(), total = settings.generations();
            long sessionMillis = (System.nanoTime() - startNanos) / 1_000_000;
            int doneThisSession = Math.max(1, done - generationsAtStart);
            long eta = sessionMillis / doneThisSession * (total - done);
            progress.update(Math.min(0.999, (double) done / total), String.format(Locale.ROOT,
                    "generation %d/%d: %d scored (%d in all), frontier %d, hypervolume %.4f, ETA %s",
                    index, total - 1, evaluatedThisSession, cacheSize(), frontier.size(), g.hypervolume(), duration(eta)));
            evaluatedThisSession = 0;
            listener.generationFinished(g, SearchRun.open(folder.dir()));
        }

        private synchronized int cacheSize() {
            return cache.size();
        }

        /**
         * Scores the candidates not yet scored, in parallel; throws {@link CancellationException} when cancelled before
         * the end.
         */
        void score(List<Candidate> candidates) {
            List<Candidate> todo = new ArrayList<>();
            Map<String, Candidate> unique = new LinkedHashMap<>();
            synchronized (this) {
                for (Candidate c : candidates) {
                    if (!cache.containsKey(c.schedule().key())) unique.putIfAbsent(c.schedule().key(), c);
                }
            }
            todo.addAll(unique.values());
            if (todo.isEmpty()) return;
            CompletionService<Evaluation> done = new ExecutorCompletionService<>(pool);
            AtomicBoolean stop = new AtomicBoolean();
            for (Candidate c : todo) {
                done.submit(() -> stop.get() || progress.isCancelled() ? null : evaluator.evaluate(c.name(), c.schedule(), c.origin()));
            }
            RuntimeException failure = null;
            int count = 0;
            for (int i = 0; i < todo.size(); i++) {
                Evaluation e;
                try {
                    Future<Evaluation> f = done.take();
                    e = f.get();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    stop.set(true);
                    throw new CancellationException("search cancelled");
                } catch (ExecutionException ex) {
                    stop.set(true);
                    if (failure == null) failure = ex.getCause() instanceof RuntimeException r ? r
                            : new LoupeException("a schedule could not be scored: " + ex.getCause(), ex.getCause());
                    continue;
                }
                if (e == null) continue;
                record(e);
                count++;
                listener.evaluated(e, count, todo.size());
                progress.update((double) finished.size() / settings.generations(), String.format(Locale.ROOT,
                        "generation %d/%d: scored %d of %d", generation, settings.generations() - 1, count, todo.size()));
            }
            if (failure != null) throw failure;
            if (count < todo.size()) throw new CancellationException("search cancelled");
        }

        private void record(Evaluation e) {
            synchronized (this) {
                cache.put(e.key(), e);
                folder.writeEvaluations(cache.values());
            }
            evaluatedThisSession++;
            folder.writeSchedule(e.name(), scheduleFile(e, null));
        }

        /** Scores the solutions NSGA-II asks for (new genomes named {@code gNNN_iNNN}), then sets their objectives. */
        void evaluate(Iterable<Solution> solutions) {
            List<Candidate> candidates = new ArrayList<>();
            for (Solution s : solutions) {
                CacheSchedule schedule = problem.scheduleOf(s);
                Candidate named = seedNames.get(schedule.key());
                if (named == null && scored(schedule.key()) == null
                        && candidates.stream().noneMatch(c -> c.schedule().equals(schedule))) {
                    String name = String.format(Locale.ROOT, "g%03d_i%03d", generation, newInGeneration++);
                    named = new Candidate(name, schedule.named(name), Evaluation.generationOrigin(generation));
                }
                if (named != null) candidates.add(named);
            }
            score(candidates);
            for (Solution s : solutions) problem.evaluate(s);
        }

        private ScheduleFile scheduleFile(Evaluation e, ScheduleEvaluator.Timings timings) {
            MacCounter.Run macs = evaluator.macCounter().count(e.schedule());
            // per image, as ECAD counts them (one generation, both guidance halves): the count is linear in the batch
            long[] perStep = macs.steps().stream().mapToLong(st -> st.weightMacs() / settings.images()).toArray();
            ScheduleFile.Builder b = ScheduleFile.builder(e.schedule()).name(e.name())
                    .model(settings.model().toString())
                    .resolution(evaluator.imageSize(), evaluator.imageSize())
                    .guidance(settings.guidance())
                    .macs(perStep)
                    .metric("reward", new JsonPrimitive(e.reward()))
                    .metric("psnr_db_vs_uncached", new JsonPrimitive(e.psnr()))
                    .metric("mac_speedup", new JsonPrimitive(e.macSpeedup()))
                    .metric("calibration_images", new JsonPrimitive(settings.images()))
                    .metric("origin", new JsonPrimitive(e.origin()));
            if (Double.isFinite(e.featureDistance())) b.metric("feature_distance", new JsonPrimitive(e.featureDistance()));
            if (Double.isFinite(e.measuredSpeedup())) b.metric("measured_speedup", new JsonPrimitive(e.measuredSpeedup()));
            if (timings != null) {
                for (int i = 0; i < timings.measured().size(); i++) {
                    if (timings.measured().get(i).key().equals(e.key())) {
                        List<Double> runs = new ArrayList<>();
                        for (double ms : timings.runsMs().get(i)) runs.add(ms / settings.images());
                        b.latency(ScheduleFile.Latency.measured(settings.images(), device(), List.of(), runs));
                    }
                }
            }
            return b.build();
        }

        private String device() {
            return "cpu, " + Runtime.getRuntime().availableProcessors() + " cores, torch threads "
                    + System.getProperty("ai.djl.pytorch.num_threads", "default");
        }

        private void measureAndReport() {
            SearchRun run = SearchRun.open(folder.dir());
            Map<String, Evaluation> byKey = new LinkedHashMap<>(); // each schedule timed once
            Evaluation baseline = run.baseline();
            for (Heuristics.Heuristic h : reportBaselines(evaluator.steps(), evaluator.blocks())) {
                Evaluation e = scored(h.schedule().key());
                if (e != null && e.caches()) byKey.putIfAbsent(e.key(), e);
            }
            // the final population's front (the report's) and the speedup-reward front over every scored schedule
            // (the one the workspace draws), by MAC estimate until timed
            for (Evaluation e : run.frontier()) byKey.putIfAbsent(e.key(), e);
            for (Evaluation e : Frontier.bySpeedupAndReward(run.evaluations().stream().filter(Evaluation::caches).toList(),
                    Evaluation::macSpeedup)) {
                byKey.putIfAbsent(e.key(), e);
            }
            List<Evaluation> toMeasure = new ArrayList<>(byKey.values());
            progress.update(0.999, "measuring the wall-clock speedup of " + toMeasure.size() + " schedules against no caching");
            ScheduleEvaluator.Timings timings = evaluator.measure(toMeasure, TIMING_WARMUP, TIMING_REPEATS, progress::isCancelled);
            Map<String, Evaluation> measured = new LinkedHashMap<>();
            for (Evaluation e : timings.measured()) measured.put(e.key(), e);
            measured.put(baseline.key(), baseline.withMeasuredSpeedup(1.0));
            synchronized (this) {
                measured.forEach((k, e) -> cache.put(k, cache.get(k).withMeasuredSpeedup(e.measuredSpeedup())));
                folder.writeEvaluations(cache.values());
            }
            for (Evaluation e : timings.measured()) folder.writeSchedule(e.name(), scheduleFile(scored(e.key()), timings));
            Generation last = finished.get(finished.size() - 1);
            Generation updated = new Generation(last.index(), withMeasured(last.population(), measured),
                    withMeasured(last.frontier(), measured), last.hypervolume(), last.elapsedMillis());
            folder.writeGeneration(updated);
            SearchRun done = SearchRun.open(folder.dir());
            SearchReport report = new SearchReport(done, timings.uncachedMs(), TIMING_WARMUP, TIMING_REPEATS, device());
            folder.writeJson(RunFolder.FRONTIER, report.frontierJson());
            folder.writeText(RunFolder.REPORT, report.markdown());
        }

        private List<Evaluation> withMeasured(List<Evaluation> list, Map<String, Evaluation> measured) {
            List<Evaluation> out = new ArrayList<>();
            for (Evaluation e : list) {
                Evaluation m = measured.get(e.key());
                out.add(m == null ? e : e.withMeasuredSpeedup(m.measuredSpeedup()));
            }
            return out;
        }

        /** NSGA-II whose evaluations go through the session (cache, parallel workers, run folder). */
        private final class Algorithm extends NSGAII {
            Algorithm(List<Solution> initial) {
                super(Session.this.problem, settings.population(), new NondominatedSortingPopulation(), null, null,
                        new CompoundVariation(new HUX(settings.crossoverRate()), new BitFlip(settings.mutationRate())),
                        new InjectedInitialization(Session.this.problem, initial));
            }

            @Override
            public void evaluateAll(Iterable<Solution> solutions) {
                Session.this.evaluate(solutions);
                for (Solution s : solutions) numberOfEvaluations++;
            }
        }
    }

    static String duration(long millis) {
        long s = millis / 1000;
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
