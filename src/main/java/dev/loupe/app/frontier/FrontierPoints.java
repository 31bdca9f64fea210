package dev.loupe.app.frontier;

import dev.loupe.search.Evaluation;
import dev.loupe.search.Frontier;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The points of the frontier chart: x is the speedup (measured when the search has timed the schedule, otherwise
 * estimated from the MAC count), y the reward. Search candidates form a faint cloud, the Pareto front over every
 * evaluated schedule (both axes maximised; once the search has timed it, over the timed schedules) is highlighted,
 * baselines are labelled, imported schedules stand apart.
 */
public record FrontierPoints(List<Evaluation> evaluated, List<Evaluation> front, List<Evaluation> baselines,
        List<Evaluation> imported) {
    public FrontierPoints {
        evaluated = List.copyOf(evaluated);
        front = List.copyOf(front);
        baselines = List.copyOf(baselines);
        imported = List.copyOf(imported);
    }

    public static final FrontierPoints EMPTY = new FrontierPoints(List.of(), List.of(), List.of(), List.of());

    /** The chart's points for a run (null: none) and the schedules the user imported. */
    public static FrontierPoints of(RunView run, List<Evaluation> imported) {
        if (run == null) return new FrontierPoints(List.of(), List.of(), List.of(), imported);
        Set<Evaluation> baselines = new LinkedHashSet<>(run.baselines());
        List<Evaluation> cloud = new ArrayList<>();
        for (Evaluation e : run.evaluations()) if (!baselines.contains(e)) cloud.add(e);
        List<Evaluation> all = new ArrayList<>(cloud);
        all.addAll(baselines);
        // a timed speedup and a MAC estimate are not comparable: once the search has timed its front, the front is
        // drawn through timed points only (the search times every point of the estimated front, see Search)
        List<Evaluation> timed = all.stream().filter(FrontierPoints::measured).toList();
        return new FrontierPoints(cloud, paretoFront(timed.isEmpty() ? all : timed), List.copyOf(baselines), imported);
    }

    /** The x coordinate: the measured speedup, or the MAC estimate while the schedule has not been timed. */
    public static double speedup(Evaluation e) {
        return measured(e) ? e.measuredSpeedup() : e.macSpeedup();
    }

    public static boolean measured(Evaluation e) {
        return Double.isFinite(e.measuredSpeedup());
    }

    /**
     * The points no other point beats on both speedup ({@link #speedup}) and reward, in order of increasing speedup:
     * the line the chart draws.
     */
    public static List<Evaluation> paretoFront(List<Evaluation> points) {
        return Frontier.bySpeedupAndReward(points, FrontierPoints::speedup);
    }

    /** Whether any point's x is still a MAC estimate (the chart then explains its hollow markers). */
    public boolean anyEstimated() {
        for (List<Evaluation> l : List.of(evaluated, baselines, imported)) {
            for (Evaluation e : l) if (!measured(e)) return true;
        }
        return false;
    }

    /** The tooltip of a point: name, MACs, speedup (and how it was obtained), reward. */
    public static String describe(Evaluation e) {
        StringBuilder s = new StringBuilder(e.name());
        s.append(String.format(Locale.ROOT, "%nMACs: %s (%.2fx fewer than uncached)", humanMacs(e.weightMacs()), e.macSpeedup()));
        if (measured(e)) s.append(String.format(Locale.ROOT, "%nspeedup: %.2fx measured", e.measuredSpeedup()));
        else s.append(String.format(Locale.ROOT, "%nspeedup: %.2fx estimated from MACs", e.macSpeedup()));
        s.append(String.format(Locale.ROOT, "%nreward: %.4f", e.reward()));
        if (Double.isFinite(e.psnr())) s.append(String.format(Locale.ROOT, "%nPSNR vs uncached: %.1f dB", e.psnr()));
        if (e.origin() != null && !e.origin().isEmpty()) s.append("\nfrom: ").append(e.origin());
        return s.toString();
    }

    /** A short chart label for a schedule name: "FORA 2" for ECAD's {@code recompute_all_every_002}, and so on. */
    public static String shortName(String name) {
        java.util.regex.Matcher m;
        if ((m = java.util.regex.Pattern.compile("recompute_all_every_0*(\\d+)").matcher(name)).matches()) return "FORA " + m.group(1);
        if ((m = java.util.regex.Pattern.compile("tgate_without_ca_avg_m_0*(\\d+).*").matcher(name)).matches()) {
            return "T-GATE-like (gate " + m.group(1) + ")";
        }
        if (name.equals("default") || name.replace('_', '-').equalsIgnoreCase("no-cache")) return "no caching";
        return name;
    }

    public static String humanMacs(long macs) {
        if (macs >= 1_000_000_000L) return String.format(Locale.ROOT, "%.2f G", macs / 1e9);
        if (macs >= 1_000_000L) return String.format(Locale.ROOT, "%.2f M", macs / 1e6);
        if (macs >= 1_000L) return String.format(Locale.ROOT, "%.1f k", macs / 1e3);
        return Long.toString(macs);
    }
}
