package dev.loupe.eval.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.world.RenderedScene;
import dev.loupe.world.ShapesWorld;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DegradeTest {
    private static final int SIZE = 32;

    private static float[] scene(long seed) {
        RenderedScene s = ShapesWorld.render(seed, SIZE);
        int plane = SIZE * SIZE;
        float[] image = new float[3 * plane];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) image[c * plane + p] = (s.rgb()[3 * p + c] & 0xff) / 255f;
        }
        return image;
    }

    private static double mse(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) sum += (a[i] - b[i]) * (a[i] - b[i]);
        return sum / a.length;
    }

    @Test
    void heldOutDegradationChangesEveryImageAndStaysInRange() {
        for (long seed = 0; seed < 20; seed++) {
            float[] clean = scene(seed);
            float[] image = clean.clone();
            Degrade.HELD_OUT.apply(image, SIZE, new Random(seed));
            double mse = mse(clean, image);
            assertTrue(mse > 1e-4, "seed " + seed + " left almost untouched (MSE " + mse + ")");
            for (float v : image) assertTrue(v >= 0 && v <= 1, "value " + v + " outside [0, 1]");
        }
    }

    @Test
    void sameRandomStreamSameDamage() {
        float[] a = scene(3);
        float[] b = a.clone();
        Degrade.TRAINING.apply(a, SIZE, new Random(11));
        Degrade.TRAINING.apply(b, SIZE, new Random(11));
        assertArrayEquals(a, b);
    }

    @Test
    void trainingLeavesAboutItsCleanShareUntouched() {
        int untouched = 0;
        int n = 400;
        Random random = new Random(5);
        float[] clean = scene(1);
        for (int i = 0; i < n; i++) {
            float[] image = clean.clone();
            Degrade.TRAINING.apply(image, SIZE, random);
            if (Arrays.equals(image, clean)) untouched++;
        }
        // clean share plus the chance that no step fires: 0.2 + 0.8 * 0.5^6
        double expected = Degrade.TRAINING.cleanShare() + (1 - Degrade.TRAINING.cleanShare()) * Math.pow(1 - Degrade.TRAINING.stepProbability(), 6);
        assertEquals(expected, (double) untouched / n, 0.06);
    }

    @Test
    void resamplingKeepsFlatImagesFlatAndSameSizeIsIdentity() {
        float[] flat = new float[3 * SIZE * SIZE];
        Arrays.fill(flat, 0.4f);
        for (int small : new int[] {13, 16, 27}) {
            float[] down = Degrade.resample(flat, SIZE, small);
            for (float v : down) assertEquals(0.4f, v, 1e-5f);
            float[] round = flat.clone();
            Degrade.downUp(round, SIZE, small);
            assertArrayEquals(flat, round, 1e-5f);
        }
        float[] image = scene(2);
        assertArrayEquals(image, Degrade.resample(image, SIZE, SIZE), 1e-6f);
        float[] blurred = flat.clone();
        Degrade.blur(blurred, SIZE, 1.0);
        assertArrayEquals(flat, blurred, 1e-5f);
    }

    @Test
    void blurAndJpegSoftenEdges() {
        float[] image = scene(4);
        float[] blurred = image.clone();
        Degrade.blur(blurred, SIZE, 1.0);
        assertTrue(variation(blurred) < variation(image));
        float[] jpeg = image.clone();
        Degrade.jpeg(jpeg, SIZE, 20);
        assertFalse(Arrays.equals(jpeg, image));
        assertTrue(mse(jpeg, image) < 0.03, "JPEG at 20% keeps the picture (MSE " + mse(jpeg, image) + ")");
    }

    /** Sum of absolute differences between horizontal neighbours. */
    private static double variation(float[] image) {
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < SIZE; y++) {
                for (int x = 1; x < SIZE; x++) {
                    int i = (c * SIZE + y) * SIZE + x;
                    sum += Math.abs(image[i] - image[i - 1]);
                }
            }
        }
        return sum;
    }
}
