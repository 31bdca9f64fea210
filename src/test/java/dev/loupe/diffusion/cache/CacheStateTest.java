package dev.loupe.diffusion.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class CacheStateTest {
    /** A component whose output is its call number, so a reused value shows which step computed it. */
    private static final class Counting {
        int calls;

        NDArray compute(NDManager m) {
            return m.create((float) ++calls);
        }
    }

    @Test
    void aReusedComponentReturnsItsLastComputedOutputAndStepZeroAlwaysComputes() {
        // one block; attn1 bits per step: F T F F T
        boolean[] bits = new boolean[5 * CacheSchedule.COMPONENTS];
        bits[CacheSchedule.index(1, 0, Component.ATTN1, 1)] = true;
        bits[CacheSchedule.index(4, 0, Component.ATTN1, 1)] = true;
        CacheSchedule schedule = CacheSchedule.fromGenome(5, 1, bits, "t");
        try (NDManager nd = NDManager.newBaseManager(); CacheState cache = new CacheState(schedule, nd)) {
            Counting attn = new Counting();
            float[] seen = new float[5];
            for (int s = 0; s < 5; s++) {
                try (NDManager step = nd.newSubManager()) {
                    seen[s] = cache.component(0, Component.ATTN1, () -> attn.compute(step)).getFloat();
                }
                cache.advance();
            }
            // step 0 computes (nothing cached yet), 1 recomputes, 2 and 3 reuse step 1's output, 4 recomputes
            assertEquals(List.of(1f, 2f, 2f, 2f, 3f), floats(seen));
            assertEquals(1, cache.computedCount(0, Component.ATTN1));
            assertEquals(0, cache.computedCount(2, Component.ATTN1));
            assertThrows(IllegalStateException.class, () -> cache.component(0, Component.FF, () -> attn.compute(nd)));
            cache.reset();
            assertEquals(0, cache.step());
            cache.component(0, Component.ATTN1, () -> attn.compute(nd));
            assertEquals(4, attn.calls, "after a reset, step 0 computes again");
        }
    }

    @Test
    void componentsAndBlocksHaveTheirOwnCaches() {
        boolean[] bits = new boolean[2 * 2 * CacheSchedule.COMPONENTS];
        CacheSchedule schedule = CacheSchedule.fromGenome(2, 2, bits, "all cached");
        try (NDManager nd = NDManager.newBaseManager(); CacheState cache = new CacheState(schedule, nd)) {
            List<NDArray> first = new ArrayList<>();
            Counting c = new Counting();
            for (int b = 0; b < 2; b++) {
                for (Component k : Component.values()) first.add(cache.component(b, k, () -> c.compute(nd)));
            }
            cache.advance();
            int i = 0;
            for (int b = 0; b < 2; b++) {
                for (Component k : Component.values()) assertSame(first.get(i++), cache.component(b, k, () -> c.compute(nd)));
            }
            assertEquals(6, c.calls);
        }
    }

    /** Against a direct reading of ECAD's rule, for random schedules: what is returned and how often it computes. */
    @Property(tries = 50)
    void followsEcadsRuleForAnySchedule(@ForAll @IntRange(min = 1, max = 8) int steps, @ForAll long seed) {
        java.util.Random random = new java.util.Random(seed);
        boolean[] bits = new boolean[steps * CacheSchedule.COMPONENTS];
        for (int i = 0; i < bits.length; i++) bits[i] = random.nextBoolean();
        CacheSchedule schedule = CacheSchedule.fromGenome(steps, 1, bits, "r");
        try (NDManager nd = NDManager.newBaseManager(); CacheState cache = new CacheState(schedule, nd)) {
            Counting ff = new Counting();
            float last = 0;
            int calls = 0;
            for (int s = 0; s < steps; s++) {
                try (NDManager step = nd.newSubManager()) {
                    float got = cache.component(0, Component.FF, () -> ff.compute(step)).getFloat();
                    boolean computes = schedule.recompute(s, 0, Component.FF) || s == 0;
                    if (computes) last = ++calls;
                    assertEquals(last, got, "step " + s);
                    assertEquals(computes ? 1 : 0, cache.computedCount(s, Component.FF));
                }
                cache.advance();
            }
        }
    }

    private static List<Float> floats(float[] a) {
        List<Float> out = new ArrayList<>();
        for (float f : a) out.add(f);
        return out;
    }
}
