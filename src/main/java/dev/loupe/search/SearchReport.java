package dev.loupe.search;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.ecad.Heuristics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What a finished search reports: {@code frontier.json} (every frontier point and baseline with its schedule file
 * and figures) and {@code report.md}, a table in the style of ECAD's (no caching, FORA N = 2 and 3, T-GATE-like,
 * the frontier's fastest and best) with the hypervolume per generation.
 */
final class SearchReport {
    /** The bars: at least this measured speedup with a reward within {@link #REWARD_TOLERANCE} of no caching. */
    static final double FAST_SPEEDUP = 2.5, REWARD_TOLERANCE = 0.05;

    private final SearchRun run;
    private final double uncachedMs;
    private final int warmup;
    private final int repeats;
    private final String device;

    SearchReport(SearchRun run, double uncachedMs, int warmup, int repeats, String device) {
        this.run = run;
        this.uncachedMs = uncachedMs;
        this.warmup = warmup;
        this.repeats = repeats;
        this.device = device;
    }

    /** A labelled row of the table. */
    record Row(String label, Evaluation evaluation) {}

    private int steps() {
        return run.settings().steps();
    }

    private int blocks() {
        return run.baseline().schedule().blocks();
    }

    private Evaluation find(CacheSchedule s) {
        for (Evaluation e : run.evaluations()) if (e.key().equals(s.key())) return e;
        return null;
    }

    Evaluation fora(int n) {
        return steps() > n ? find(Heuristics.fora(steps(), blocks(), n).schedule()) : null;
    }

    Evaluation tgate() {
        return steps() > 1 ? find(Heuristics.tgate(steps(), blocks(), Math.max(1, steps() / 2)).schedule()) : null;
    }

    Evaluation fastest() {
        return run.frontier().stream().filter(e -> Double.isFinite(e.measuredSpeedup()))
                .max(Comparator.comparingDouble(Evaluation::measuredSpeedup)).orElse(null);
    }

    Evaluation best() {
        return run.frontier().stream().max(Comparator.comparingDouble(Evaluation::reward)
                .thenComparingDouble(Evaluation::measuredSpeedup)).orElse(null);
    }

    List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("No caching", run.baseline()));
        add(rows, "FORA N=2", fora(2));
        add(rows, "FORA N=3", fora(3));
        add(rows, "T-GATE-like (gate at step " + Math.max(1, steps() / 2) + ")", tgate());
        add(rows, "Frontier: fastest", fastest());
        add(rows, "Frontier: best reward", best());
        return rows;
    }

    private static void add(List<Row> rows, String label, Evaluation e) {
        if (e != null) rows.add(new Row(label, e));
    }

    /** Measured evaluations that are at least as fast as FORA N=2 with a higher reward. */
    List<Evaluation> dominatingFora2() {
        Evaluation fora2 = fora(2);
        if (fora2 == null || !Double.isFinite(fora2.measuredSpeedup())) return List.of();
        return run.evaluations().stream().filter(e -> Double.isFinite(e.measuredSpeedup()) && e.caches()
                && e.measuredSpeedup() >= fora2.measuredSpeedup() && e.reward() > fora2.reward()).toList();
    }

    /** Measured evaluations at least {@link #FAST_SPEEDUP} times faster than no caching with a reward within 5% of it. */
    List<Evaluation> fastAndFaithful() {
        double floor = run.baseline().reward() * (1 - REWARD_TOLERANCE);
        return run.evaluations().stream().filter(e -> Double.isFinite(e.measuredSpeedup()) && e.caches()
                && e.measuredSpeedup() >= FAST_SPEEDUP && e.reward() >= floor).toList();
    }

    String markdown() {
        SearchSettings s = run.settings();
        StringBuilder md = new StringBuilder();
        md.append("# Caching-schedule search\n\n");
        md.append(String.format(Locale.ROOT, "Model `%s`, %d steps, guidance %s%s; calibration %d prompts x %d seeds = %d images; "
                        + "NSGA-II population %d, %d generations, HUX crossover %.2f, bit-flip %.4f per bit; %d schedules scored; "
                        + "search time %s.%n%n",
                s.model(), s.steps(), trim(s.guidance()), s.guidanceStop() > 0 ? " (none below t = " + trim(s.guidanceStop()) + ")" : "",
                s.prompts().size(), s.seeds().size(), s.images(), s.population(),
                run.generations().size(), s.crossoverRate(), s.mutationRate(), run.evaluations().size(),
                Search.duration(run.generations().isEmpty() ? 0 : run.generations().get(run.generations().size() - 1).elapsedMillis())));
        md.append(String.format(Locale.ROOT, "Speedup: wall clock of the whole calibration batch against no caching, measured in one "
                + "run (median of %d rounds after %d warm-up, schedules interleaved with the uncached render; uncached %.1f ms "
                + "per batch; %s). MACs: weight MACs of the batch (linear layers and convolutions that run). Reward: mean "
                + "reward-model score in [0, 1]. PSNR and feature distance (1 - cosine of sample-ViT patch features): "
                + "against the uncached images.%n%n", repeats, warmup, uncachedMs, device));
        md.append("| Schedule | Name | Speedup | MAC speedup | Weight GMACs | Reward | PSNR (dB) | Feature dist. |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows()) {
            Evaluation e = r.evaluation();
            boolean reference = !e.caches();
            md.append(String.format(Locale.ROOT, "| %s | `%s` | %s | %.2fx | %.3f | %.4f | %s | %s |%n", r.label(), e.name(),
                    Double.isFinite(e.measuredSpeedup()) ? String.format(Locale.ROOT, "%.2fx", e.measuredSpeedup()) : "n/a",
                    e.macSpeedup(), e.weightMacs() / 1e9, e.reward(),
                    reference ? "ref." : String.format(Locale.ROOT, "%.1f", e.psnr()),
                    reference ? "ref." : Double.isFinite(e.featureDistance()) ? String.format(Locale.ROOT, "%.4f", e.featureDistance()) : "n/a"));
        }
        md.append("\n");
        List<Evaluation> dominating = dominatingFora2();
        md.append("Schedules at least as fast as FORA N=2 (measured) with a higher reward: ")
                .append(dominating.isEmpty() ? "none" : names(dominating)).append(".\n\n");
        List<Evaluation> fast = fastAndFaithful();
        md.append(String.format(Locale.ROOT, "Schedules at least %.1fx faster than no caching with a reward within %.0f%% of it "
                        + "(>= %.4f): %s.%n%n", FAST_SPEEDUP, 100 * REWARD_TOLERANCE,
                run.baseline().reward() * (1 - REWARD_TOLERANCE), fast.isEmpty() ? "none" : names(fast)));
        md.append("## Frontier\n\n| Name | Speedup | MAC speedup | Reward | PSNR (dB) | Origin |\n|---|---:|---:|---:|---:|---|\n");
        for (Evaluation e : run.frontier()) {
            md.append(String.format(Locale.ROOT, "| `%s` | %s | %.2fx | %.4f | %.1f | %s |%n", e.name(),
                    Double.isFinite(e.measuredSpeedup()) ? String.format(Locale.ROOT, "%.2fx", e.measuredSpeedup()) : "n/a",
                    e.macSpeedup(), e.reward(), e.psnr(), e.origin()));
        }
        md.append("\n## Hypervolume per generation\n\n");
        md.append("Area of [0, 1]^2 dominated by the frontier in (1 - reward, weight MACs / uncached), reference point (1, 1).\n\n");
        md.append("| Generation | Hypervolume | Frontier size | Elapsed |\n|---:|---:|---:|---:|\n");
        for (Generation g : run.generations()) {
            md.append(String.format(Locale.ROOT, "| %d | %.4f | %d | %s |%n", g.index(), g.hypervolume(), g.frontier().size(),
                    Search.duration(g.elapsedMillis())));
        }
        return md.toString();
    }

    private static String names(List<Evaluation> list) {
        List<String> out = new ArrayList<>();
        for (Evaluation e : list) {
            out.add(String.format(Locale.ROOT, "`%s` (%.2fx, reward %.4f)", e.name(), e.measuredSpeedup(), e.reward()));
        }
        return String.join(", ", out);
    }

    JsonObject frontierJson() {
        JsonObject o = new JsonObject();
        o.addProperty("model", run.settings().model().toString());
        o.addProperty("calibration_images", run.settings().images());
        o.addProperty("uncached_ms_per_batch", uncachedMs);
        o.addProperty("timing", "median of " + repeats + " rounds after " + warmup + " warm-up, interleaved with the uncached render; "
                + device);
        JsonArray points = new JsonArray();
        for (Evaluation e : run.frontier()) points.add(point(e));
        o.add("points", points);
        JsonArray baselines = new JsonArray();
        for (Row r : rows()) {
            if (!r.label().startsWith("Frontier")) {
                JsonObject p = point(r.evaluation());
                p.addProperty("label", r.label());
                baselines.add(p);
            }
        }
        o.add("baselines", baselines);
        return o;
    }

    private static JsonObject point(Evaluation e) {
        JsonObject p = new JsonObject();
        p.addProperty("name", e.name());
        p.addProperty("schedule", RunFolder.SCHEDULES + "/" + RunFolder.fileName(e.name()) + ".json");
        p.addProperty("weight_macs", e.weightMacs());
        p.add("mac_speedup", RunJson.numberOrNull(e.macSpeedup()));
        p.add("measured_speedup", RunJson.numberOrNull(e.measuredSpeedup()));
        p.add("reward", RunJson.numberOrNull(e.reward()));
        JsonObject fidelity = new JsonObject();
        fidelity.add("psnr_db", RunJson.numberOrNull(e.psnr()));
        fidelity.add("feature_distance", RunJson.numberOrNull(e.featureDistance()));
        p.add("fidelity", fidelity);
        p.addProperty("origin", e.origin());
        return p;
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
