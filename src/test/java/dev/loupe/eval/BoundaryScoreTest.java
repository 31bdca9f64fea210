package dev.loupe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BoundaryScoreTest {
    /** A 20x20 map with a square of class 1 at rows/cols [top, top+8). */
    static long[] square(int top) {
        long[] m = new long[400];
        for (int y = top; y < top + 8; y++) for (int x = 6; x < 14; x++) m[y * 20 + x] = 1;
        return m;
    }

    @Test
    void boundariesWithinTheToleranceCountAsFound() {
        BoundaryScore exact = new BoundaryScore();
        exact.add(square(6), square(6), 20, 20, 1);
        assertEquals(1, exact.f(), 1e-12);

        BoundaryScore shifted = new BoundaryScore(); // one pixel off: inside a tolerance of 1, outside a tolerance of 0
        shifted.add(square(6), square(7), 20, 20, 1);
        assertEquals(1, shifted.f(), 1e-12);
        BoundaryScore strict = new BoundaryScore();
        strict.add(square(6), square(7), 20, 20, 0);
        assertEquals(true, strict.f() < 1);

        BoundaryScore blank = new BoundaryScore(); // predicting no boundary at all finds none of the true ones
        blank.add(square(6), new long[400], 20, 20, 2);
        assertEquals(0, blank.recall(), 1e-12);
        assertEquals(0, blank.f(), 1e-12);
    }

    @Test
    void toleranceIsThreeQuartersOfAPercentOfTheDiagonal() {
        assertEquals(3, BoundaryScore.tolerance(256, 256));
        assertEquals(1, BoundaryScore.tolerance(32, 32));
    }
}
