package dev.loupe.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.ecad.Heuristics;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Frontiers and their hypervolume on hand-made figures. */
class FrontierTest {
    static Evaluation point(CacheSchedule s, long macs, double reward) {
        return new Evaluation(s.name(), s, macs, 1000.0 / macs, reward, 20, Double.NaN, Double.NaN, "test");
    }

    @Test
    void theFrontierKeepsTheNonDominatedCachingSchedulesAndItsHypervolumeIsTheirArea() {
        CacheSchedule none = CacheSchedule.noCache(4, 2);
        CacheSchedule a = Heuristics.fora(4, 2, 2).schedule(), b = Heuristics.fora(4, 2, 3).schedule(),
                c = Heuristics.tgate(4, 2, 2).schedule();
        Evaluation base = point(none, 1000, 0.9);
        Evaluation pa = point(a, 500, 0.5); // loss 0.5, cost 0.5
        Evaluation pb = point(b, 250, 0.25); // loss 0.75, cost 0.25
        Evaluation pc = point(c, 600, 0.4); // dominated by a
        List<Evaluation> front = Frontier.of(List.of(base, pa, pb, pc), 0);
        assertEquals(List.of(pb, pa), front);
        SearchProblem problem = new SearchProblem(4, 2, 0, 1000, k -> null);
        // union of [0.5,1]x[0.5,1] and [0.75,1]x[0.25,1]: 0.25 + 0.25 * 0.25
        assertEquals(0.25 + 0.0625, problem.hypervolume(front), 1e-9);
        assertEquals(0.25, problem.hypervolume(List.of(pa)), 1e-9);
        assertEquals(0, problem.hypervolume(List.of()), 0);
    }
}
