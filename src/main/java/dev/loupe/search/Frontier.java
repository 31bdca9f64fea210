package dev.loupe.search;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Pareto frontiers and their hypervolume over the search's two minimised objectives: the quality loss
 * ({@link Evaluation#qualityLoss}) and the cost, weight MACs as a fraction of the uncached render's.
 *
 * <p>Hypervolume uses a fixed normalisation so that values are comparable across generations and runs with the
 * same settings: the ideal point is (0, 0) and the reference point (1, 1), i.e. quality loss 1 (reward 0) and the
 * uncached cost. It is the area of [0, 1]^2 that the frontier dominates, between 0 and 1 (higher is better); the
 * uncached schedule adds nothing to it. MOEA Framework's {@code Hypervolume} with a
 * {@code Normalizer(minimum = {0, 0}, maximum = {1, 1})} computes it (see {@link SearchProblem#hypervolume}).
 */
public final class Frontier {
    private Frontier() {}

    /**
     * The points no other point beats on both speedup and reward (both maximised; ties on both kept once), in order
     * of increasing speedup (so of decreasing reward): the front a user reads off a speedup-reward chart, whatever
     * {@code speedup} is (measured, or estimated from MACs).
     */
    public static List<Evaluation> bySpeedupAndReward(List<Evaluation> points, ToDoubleFunction<Evaluation> speedup) {
        List<Evaluation> sorted = new ArrayList<>();
        for (Evaluation e : points) if (Double.isFinite(speedup.applyAsDouble(e)) && Double.isFinite(e.reward())) sorted.add(e);
        sorted.sort(Comparator.comparingDouble(speedup).reversed()
                .thenComparing(Comparator.comparingDouble(Evaluation::reward).reversed()));
        List<Evaluation> front = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (Evaluation e : sorted) {
            if (e.reward() > best) {
                front.add(e);
                best = e.reward();
            }
        }
        Collections.reverse(front);
        return front;
    }

    static double cost(Evaluation e, long uncachedMacs) {
        return (double) e.weightMacs() / uncachedMacs;
    }

    static boolean dominates(Evaluation a, Evaluation b, double fidelityWeight) {
        double qa = a.qualityLoss(fidelityWeight), qb = b.qualityLoss(fidelityWeight);
        return qa <= qb && a.weightMacs() <= b.weightMacs() && (qa < qb || a.weightMacs() < b.weightMacs());
    }

    /** The feasible (caching) non-dominated evaluations among {@code candidates}, one per genome, cheapest first. */
    static List<Evaluation> of(List<Evaluation> candidates, double fidelityWeight) {
        List<Evaluation> feasible = new ArrayList<>();
        for (Evaluation e : candidates) {
            if (e.caches() && feasible.stream().noneMatch(f -> f.key().equals(e.key()))) feasible.add(e);
        }
        List<Evaluation> front = new ArrayList<>();
        for (Evaluation e : feasible) {
            if (feasible.stream().noneMatch(o -> dominates(o, e, fidelityWeight))) front.add(e);
        }
        front.sort(Comparator.comparingLong(Evaluation::weightMacs).thenComparing(e -> e.qualityLoss(fidelityWeight)));
        return front;
    }
}
