package dev.loupe.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ErrorsByBoundaryDistanceTest {
    @Property(tries = 200)
    void theDistanceIsTheChessboardDistanceToTheNearestBoundaryPixel(@ForAll @IntRange(min = 1, max = 14) int h,
            @ForAll @IntRange(min = 1, max = 14) int w, @ForAll @IntRange(min = 0, max = 3) int classes, @ForAll long seed) {
        java.util.Random random = new java.util.Random(seed);
        long[] labels = new long[h * w];
        // blocky maps, so that pixels lie at every distance from a boundary, not only next to one
        int blockH = 1 + random.nextInt(6);
        int blockW = 1 + random.nextInt(6);
        long[] blocks = random.longs((long) (h / blockH + 1) * (w / blockW + 1), 0, classes + 1).toArray();
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) labels[y * w + x] = blocks[(y / blockH) * (w / blockW + 1) + x / blockW];
        boolean[] boundary = BoundaryScore.boundaries(labels, h, w);
        int[] expected = new int[h * w];
        for (int i = 0; i < expected.length; i++) {
            int best = Integer.MAX_VALUE;
            for (int j = 0; j < expected.length; j++) {
                if (boundary[j]) best = Math.min(best, Math.max(Math.abs(i / w - j / w), Math.abs(i % w - j % w)));
            }
            expected[i] = best;
        }
        assertArrayEquals(expected, ErrorsByBoundaryDistance.distanceToBoundary(labels, h, w));
    }

    @Test
    void errorsAreCountedInTheBandOfTheirDistance() {
        // 20x20, class 1 in columns 10..19: boundary pixels are columns 9 and 10, column x < 10 is 9 - x away, x >= 10 is x - 10
        long[] truth = new long[400];
        for (int y = 0; y < 20; y++) for (int x = 10; x < 20; x++) truth[y * 20 + x] = 1;
        long[] predicted = truth.clone();
        for (int y = 0; y < 20; y++) {
            predicted[y * 20 + 9] = 1; // the boundary column of class 0 read as class 1: band 0 px
            predicted[y * 20 + 2] = 1; // column 2 is 7 px from the boundary: band 6–10 px
        }
        ErrorsByBoundaryDistance e = new ErrorsByBoundaryDistance();
        e.add(truth, predicted, 20, 20);
        assertEquals(List.of("0 px", "1–2 px", "3–5 px", "6–10 px", "11+ px"), ErrorsByBoundaryDistance.bandNames());
        double[] rates = e.errorRates();
        assertEquals(0.5, rates[0], 1e-12, "one of the two boundary columns");
        assertEquals(0, rates[1], 1e-12);
        assertEquals(0, rates[2], 1e-12);
        assertEquals(0.125, rates[3], 1e-12, "one of the eight columns 6 to 9 px away (0..3 and 16..19)");
        assertTrue(Double.isNaN(rates[4]), "no pixel lies 11 px or more from the boundary");
        assertArrayEquals(new double[] {0.1, 0.2, 0.3, 0.4, 0}, e.pixelShares(), 1e-12);
    }

    @Test
    void mapsOfDifferentSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ErrorsByBoundaryDistance().add(new long[4], new long[6], 2, 2));
    }
}
