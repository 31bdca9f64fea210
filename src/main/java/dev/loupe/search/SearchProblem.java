package dev.loupe.search;

import dev.loupe.diffusion.cache.CacheSchedule;
import java.util.List;
import java.util.function.Function;
import org.moeaframework.core.Solution;
import org.moeaframework.core.constraint.GreaterThanOrEqual;
import org.moeaframework.core.indicator.Hypervolume;
import org.moeaframework.core.population.NondominatedPopulation;
import org.moeaframework.core.variable.BinaryVariable;
import org.moeaframework.problem.AbstractProblem;

/**
 * ECAD's problem for MOEA Framework: one binary variable (the step-major genome, true = recompute), two minimised
 * objectives (the quality loss and the weight MACs as a fraction of the uncached render's) and one constraint, "at
 * least one bit differs from no caching". {@link #evaluate} only looks the genome up: the search scores genomes
 * beforehand, in parallel and at most once each ({@link Search}).
 */
final class SearchProblem extends AbstractProblem {
    private final int steps;
    private final int blocks;
    private final double fidelityWeight;
    private final long uncachedMacs;
    private final Function<String, Evaluation> scored;

    SearchProblem(int steps, int blocks, double fidelityWeight, long uncachedMacs, Function<String, Evaluation> scored) {
        super(1, 2, 1);
        this.steps = steps;
        this.blocks = blocks;
        this.fidelityWeight = fidelityWeight;
        this.uncachedMacs = uncachedMacs;
        this.scored = scored;
    }

    @Override
    public String getName() {
        return "ECAD caching schedule";
    }

    @Override
    public Solution newSolution() {
        Solution s = new Solution(1, 2, 1);
        s.setVariable(0, new BinaryVariable(steps * blocks * CacheSchedule.COMPONENTS));
        s.setConstraint(0, GreaterThanOrEqual.to("cached components", 1));
        return s;
    }

    Solution solutionOf(CacheSchedule schedule) {
        Solution s = newSolution();
        BinaryVariable v = (BinaryVariable) s.getVariable(0);
        boolean[] g = schedule.genome();
        for (int i = 0; i < g.length; i++) v.set(i, g[i]);
        return s;
    }

    CacheSchedule scheduleOf(Solution s) {
        BinaryVariable v = (BinaryVariable) s.getVariable(0);
        boolean[] g = new boolean[v.getNumberOfBits()];
        for (int i = 0; i < g.length; i++) g[i] = v.get(i);
        return CacheSchedule.fromGenome(steps, blocks, g, "");
    }

    @Override
    public void evaluate(Solution solution) {
        Evaluation e = scored.apply(scheduleOf(solution).key());
        if (e == null) throw new IllegalStateException("a genome was not scored before NSGA-II asked for it");
        setObjectives(solution, e);
    }

    private void setObjectives(Solution solution, Evaluation e) {
        solution.setObjectiveValue(0, e.qualityLoss(fidelityWeight));
        solution.setObjectiveValue(1, Frontier.cost(e, uncachedMacs));
        solution.setConstraintValue(0, e.schedule().cachedCount());
    }

    /** The hypervolume of {@code frontier} with the fixed normalisation of {@link Frontier}: ideal (0, 0), reference (1, 1). */
    double hypervolume(List<Evaluation> frontier) {
        NondominatedPopulation set = new NondominatedPopulation();
        for (Evaluation e : frontier) {
            Solution s = solutionOf(e.schedule());
            setObjectives(s, e);
            set.add(s);
        }
        if (set.isEmpty()) return 0;
        return new Hypervolume(this, new double[] {0, 0}, new double[] {1, 1}).evaluate(set);
    }
}
