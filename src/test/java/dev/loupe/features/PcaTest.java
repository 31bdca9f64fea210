package dev.loupe.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.Resize;
import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PcaTest {
    /** Orthonormal directions in R^c (Gram-Schmidt of random vectors). */
    static float[][] directions(int k, int c, Random random) {
        double[][] d = new double[k][c];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < c; j++) d[i][j] = random.nextGaussian();
            for (int p = 0; p < i; p++) {
                double dot = 0;
                for (int j = 0; j < c; j++) dot += d[i][j] * d[p][j];
                for (int j = 0; j < c; j++) d[i][j] -= dot * d[p][j];
            }
            double norm = 0;
            for (int j = 0; j < c; j++) norm += d[i][j] * d[i][j];
            for (int j = 0; j < c; j++) d[i][j] /= Math.sqrt(norm);
        }
        float[][] out = new float[k][c];
        for (int i = 0; i < k; i++) for (int j = 0; j < c; j++) out[i][j] = (float) d[i][j];
        return out;
    }

    /** A [1,C,h,w] map: offset + sum_k sigma_k z_k d_k + noise. */
    static NDArray planted(NDManager m, float[][] dirs, double[] sigmas, int c, int h, int w, double noise, Random random) {
        float[] v = new float[c * h * w];
        for (int p = 0; p < h * w; p++) {
            double[] z = new double[dirs.length];
            for (int k = 0; k < dirs.length; k++) z[k] = sigmas[k] * random.nextGaussian();
            for (int j = 0; j < c; j++) {
                double x = 3 + 0.1 * j;
                for (int k = 0; k < dirs.length; k++) x += z[k] * dirs[k][j];
                v[j * h * w + p] = (float) (x + noise * random.nextGaussian());
            }
        }
        return m.create(v, new Shape(1, c, h, w));
    }

    static double absCos(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return Math.abs(dot) / Math.sqrt(na * nb);
    }

    @Test
    void recoversPlantedDirectionsInOrderOfVariance() {
        Random random = new Random(1);
        int c = 24;
        float[][] dirs = directions(3, c, random);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray f = planted(m, dirs, new double[] {1, 3, 2}, c, 16, 16, 0.05, random);
            Pca pca = Pca.fit(f);
            assertEquals(3, pca.components());
            // largest variance first: planted 1 (sigma 3), then 2 (sigma 2), then 0 (sigma 1)
            assertTrue(absCos(pca.direction(0), dirs[1]) > 0.99, "component 1");
            assertTrue(absCos(pca.direction(1), dirs[2]) > 0.99, "component 2");
            assertTrue(absCos(pca.direction(2), dirs[0]) > 0.99, "component 3");
            double[] ev = pca.explainedVariance();
            assertTrue(ev[0] > ev[1] && ev[1] > ev[2], java.util.Arrays.toString(ev));
            assertEquals(9.0 / 14, ev[0], 0.1); // 9 / (9 + 4 + 1 + noise)
        }
    }

    @Test
    void fewerTokensThanChannelsGivesTheSameDirections() {
        Random random = new Random(2);
        int c = 64;
        float[][] dirs = directions(3, c, random);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray f = planted(m, dirs, new double[] {8, 3, 1}, c, 5, 6, 0.01, random); // 30 tokens < 64 channels
            Pca pca = Pca.fit(f);
            assertTrue(absCos(pca.direction(0), dirs[0]) > 0.9, "component 1 follows the strongest planted direction");
            // duplicated tokens keep the covariance's directions: 60 tokens take the Gram path, 120 the covariance path
            NDArray doubled = f.concat(f, 3);
            NDArray quadrupled = doubled.concat(doubled, 2);
            Pca viaGram = Pca.fit(doubled);
            Pca viaCov = Pca.fit(quadrupled);
            for (int k = 0; k < 3; k++) assertArrayEquals(viaGram.direction(k), viaCov.direction(k), 1e-3f);
        }
    }

    @Test
    void sameBasisGivesSameColoursAtEveryResolution() {
        Random random = new Random(3);
        int c = 16;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray low = planted(m, directions(3, c, random), new double[] {3, 2, 1}, c, 8, 8, 0.1, random);
            Pca pca = Pca.fit(low);
            NDArray dense = Resize.nearest(low, 64, 64); // each token repeated over 8 x 8 pixels
            BufferedImage lowImage = pca.toImage(low);
            BufferedImage denseImage = pca.toImage(dense);
            assertEquals(64, denseImage.getWidth());
            BufferedImage blocks = Overlay.nearest(lowImage, 64, 64);
            for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) assertEquals(blocks.getRGB(x, y), denseImage.getRGB(x, y));
            // and fitting again on the same tokens gives the same basis, signs included
            Pca again = Pca.fit(low);
            for (int k = 0; k < 3; k++) assertArrayEquals(pca.direction(k), again.direction(k), 1e-5f);
        }
    }

    @Test
    void colourScaleSpansPercentilesAndClipsOutliers() {
        Random random = new Random(4);
        int c = 8;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray low = planted(m, directions(3, c, random), new double[] {3, 2, 1}, c, 20, 20, 0.1, random);
            Pca pca = Pca.fit(low);
            float[] scaled = pca.scaled(low);
            for (int k = 0; k < 3; k++) {
                int below = 0, above = 0, n = 0;
                for (int i = k; i < scaled.length; i += 3, n++) {
                    assertTrue(scaled[i] >= 0 && scaled[i] <= 1);
                    if (scaled[i] == 0) below++;
                    if (scaled[i] == 1) above++;
                }
                // 1% of 400 tokens on each side, give or take the interpolated end points
                assertTrue(below >= 1 && below <= 6, "component " + k + ": " + below + " clipped low");
                assertTrue(above >= 1 && above <= 6, "component " + k + ": " + above + " clipped high");
                assertEquals(400, n);
            }
            float[] raw = pca.project(low);
            float[] sortedFirst = new float[400];
            for (int i = 0; i < 400; i++) sortedFirst[i] = raw[i * 3];
            java.util.Arrays.sort(sortedFirst);
            assertEquals(Pca.percentile(sortedFirst, 1), pca.low()[0], 1e-5);
            assertEquals(Pca.percentile(sortedFirst, 99), pca.high()[0], 1e-5);
        }
    }

    @Test
    void signMakesTheRareTailBright() {
        // a few "object" tokens far along one direction, the rest background: the objects must come out bright
        int c = 6;
        float[] v = new float[c * 10 * 10];
        Random random = new Random(5);
        for (int p = 0; p < 100; p++) {
            boolean object = p % 10 < 2 && p / 10 < 3; // 6 tokens
            for (int j = 0; j < c; j++) v[j * 100 + p] = (float) ((object ? -5 : 0) * (j == 2 ? 1 : 0) + 0.1 * random.nextGaussian());
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray f = m.create(v, new Shape(1, c, 10, 10));
            Pca pca = Pca.fit(f, 1, 1, 99);
            float[] s = pca.scaled(f);
            assertTrue(s[0] > 0.9 && s[55] < 0.3, "object " + s[0] + ", background " + s[55]);
        }
    }

    @Test
    void refusesFeaturesOfAnotherWidth() {
        Random random = new Random(6);
        try (NDManager m = NDManager.newBaseManager()) {
            Pca pca = Pca.fit(planted(m, directions(3, 8, random), new double[] {3, 2, 1}, 8, 4, 4, 0.1, random));
            assertThrows(IllegalArgumentException.class, () -> pca.toImage(m.zeros(new Shape(1, 9, 4, 4))));
            assertThrows(IllegalArgumentException.class, () -> Pca.fit(m.zeros(new Shape(2, 8, 4, 4))));
        }
    }
}
