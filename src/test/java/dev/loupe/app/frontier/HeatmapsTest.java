package dev.loupe.app.frontier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.Component;
import dev.loupe.features.ColourMap;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Schedule heatmaps, the render difference heatmap, and nearest-neighbour upscaling. */
class HeatmapsTest {
    @Test
    void aScheduleHeatmapHasAColumnPerStepAndARowPerBlock() {
        Random random = new Random(3);
        int steps = 5, blocks = 3;
        boolean[] genome = new boolean[steps * blocks * 3];
        for (int i = 0; i < genome.length; i++) genome[i] = random.nextBoolean();
        CacheSchedule s = CacheSchedule.fromGenome(steps, blocks, genome, "random");
        for (Component c : Component.values()) {
            Raster r = ScheduleHeatmap.of(s, c);
            assertEquals(steps, r.width());
            assertEquals(blocks, r.height());
            int dark = 0;
            for (int step = 0; step < steps; step++) {
                for (int b = 0; b < blocks; b++) {
                    int expected = s.recompute(step, b, c) ? ScheduleHeatmap.RECOMPUTE : ScheduleHeatmap.REUSE;
                    assertEquals(expected, r.at(step, b), c + " step " + step + " block " + b);
                    if (s.recompute(step, b, c)) dark++;
                }
            }
            assertEquals(s.recomputeCount(c), dark);
            assertEquals(String.format(java.util.Locale.ROOT, "%s: %d of 15 recomputed (%.0f%%)", c.key(), dark, 100.0 * dark / 15),
                    ScheduleHeatmap.caption(s, c));
        }
    }

    @Test
    void upscalingRepeatsPixelsIntoSquares() {
        Raster r = new Raster(2, 1, new int[] {1, 2});
        Raster big = r.scaled(3);
        assertEquals(6, big.width());
        assertEquals(3, big.height());
        for (int y = 0; y < 3; y++) assertArrayEquals(new int[] {1, 1, 1, 2, 2, 2}, java.util.Arrays.copyOfRange(big.argb(), y * 6, y * 6 + 6));
        assertEquals(5, new Raster(32, 32, new int[1024]).fitFactor(170, 160));
        assertThrows(IllegalArgumentException.class, () -> new Raster(2, 2, new int[3]));
    }

    @Test
    void theDifferenceHeatmapIsTheMeanAbsoluteChannelDifferenceScaledToItsMaximum() {
        int size = 2, pixels = 4;
        float[] a = new float[3 * pixels], b = new float[3 * pixels];
        // pixel 0 identical, pixel 1 differs by 0.3 in red only (mean 0.1), pixel 3 by 0.3 in every channel (mean 0.3)
        a[1] = 0.3f;
        for (int ch = 0; ch < 3; ch++) a[ch * pixels + 3] = 0.3f;
        RenderComparison.Result r = RenderComparison.compare("p", 0, a, b, size, 10, 30, 20);
        assertEquals(0.3, r.maxDifference(), 1e-6);
        assertEquals((0.1 + 0.3) / 4, r.meanDifference(), 1e-6);
        assertEquals(3.0, r.speedup(), 1e-9);
        assertEquals(0xff000000 | ColourMap.INFERNO.rgb(0), r.difference().at(0, 0));
        assertEquals(0xff000000 | ColourMap.INFERNO.rgb(1), r.difference().at(1, 1));
        assertEquals(0xff000000 | ColourMap.INFERNO.rgb(0.1 / 0.3), r.difference().at(1, 0));
        assertEquals(0xff4d0000, r.cached().at(1, 0), "0.3 red is 77");
        assertNotEquals(r.cached().at(1, 0), r.uncached().at(1, 0));
    }

    @Test
    void coalescingKeepsOnlyTheNewestValueWhileOneHandOverIsPending() {
        java.util.List<Runnable> queue = new java.util.ArrayList<>();
        java.util.List<Integer> seen = new java.util.ArrayList<>();
        Coalescer<Integer> c = new Coalescer<>(seen::add, queue::add);
        c.post(1);
        c.post(2);
        c.post(3);
        assertEquals(1, queue.size(), "one pending hand-over");
        queue.remove(0).run();
        assertEquals(java.util.List.of(3), seen);
        c.post(4);
        assertEquals(1, queue.size());
        queue.remove(0).run();
        assertEquals(java.util.List.of(3, 4), seen);
    }

    @Test
    void theEtaScalesElapsedTimeByTheFractionLeft() {
        long[] now = {0};
        EtaProgress p = new EtaProgress(dev.loupe.Progress.NONE, () -> now[0]);
        assertEquals("", p.eta(0.0));
        now[0] = 10_000_000_000L; // 10 s for 25 %
        assertEquals(" · about 30 s left", p.eta(0.25));
        now[0] = 40_000_000_000L; // 40 s for 50 %
        assertEquals(" · about 40 s left", p.eta(0.5));
        assertEquals("2 min 05 s", EtaProgress.duration(125));
        assertEquals("", p.eta(-1));
    }
}
