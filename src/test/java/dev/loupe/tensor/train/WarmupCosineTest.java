package dev.loupe.tensor.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WarmupCosineTest {
    @Test
    void warmsUpLinearlyThenDecaysAlongACosineToItsFinalShare() {
        assertEquals(0.25f, WarmupCosine.rate(1f, 0, 4, 104, 0.1));
        assertEquals(1f, WarmupCosine.rate(1f, 3, 4, 104, 0.1));
        assertEquals(1f, WarmupCosine.rate(1f, 4, 4, 104, 0.1));
        assertEquals(0.55f, WarmupCosine.rate(1f, 54, 4, 104, 0.1), 1e-6f); // half-way: the mean of peak and floor
        assertEquals(0.1f, WarmupCosine.rate(1f, 104, 4, 104, 0.1));
        assertEquals(0.1f, WarmupCosine.rate(1f, 500, 4, 104, 0.1)); // past the end it stays at the floor
    }

    /** The trainers' own schedules before they shared this one: every step's rate is the same float. */
    @Test
    void givesTheTrainersFormerRatesBitForBit() {
        float peak = 1e-3f;
        long warmup = 200;
        long steps = 4000;
        for (long step = 0; step <= steps + 10; step++) {
            float vit;
            float dit;
            if (step < warmup) {
                vit = dit = peak * (step + 1) / warmup;
            } else {
                double t = (double) (step - warmup) / Math.max(1, steps - warmup);
                vit = (float) (peak * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, t)))));
                dit = (float) (peak * (0.1 + 0.9 * (0.5 * (1 + Math.cos(Math.PI * Math.min(1, t))))));
            }
            assertEquals(vit, WarmupCosine.rate(peak, step, warmup, steps, 0.05), "sample ViT, step " + step);
            assertEquals(dit, WarmupCosine.rate(peak, step, warmup, steps, 0.1), "DiT, step " + step);
        }
    }
}
