package dev.loupe.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PatchEmbedTest {
    @Test
    void positionsFollowPixArtsGridRule() {
        int dim = 16;
        // PixArt-α 512: a 32 x 32 grid with base 32 and scale 1 has integer coordinates
        float[] p512 = PatchEmbed.sinCos2d(dim, 32, 32, 32, 1.0);
        // PixArt-α 1024: 64 x 64 with base 64 and scale 2 spans the same range, so its even cells repeat 512's
        float[] p1024 = PatchEmbed.sinCos2d(dim, 64, 64, 64, 2.0);
        for (int r = 0; r < 32; r++) {
            for (int c = 0; c < 32; c++) {
                for (int k = 0; k < dim; k++) {
                    assertEquals(p512[(r * 32 + c) * dim + k], p1024[(2 * r * 64 + 2 * c) * dim + k], 1e-6f);
                }
            }
        }
        // A grid larger than the base is squeezed onto the base range: 8 x 8 on base 4 has half-steps
        float[] squeezed = PatchEmbed.sinCos2d(dim, 8, 8, 4, 1.0);
        float[] half = PatchEmbed.sinCos2d(dim, 8, 8, 8, 2.0);
        assertArrayEquals(half, squeezed, 1e-6f);
    }

    @Test
    void firstHalfEncodesTheColumnAndSecondHalfTheRow() {
        int dim = 8;
        float[] p = PatchEmbed.sinCos2d(dim, 3, 5, 3, 1.0);
        int r = 2;
        int c = 4;
        int base = (r * 5 + c) * dim;
        // rows: 3 cells on base 3 -> coordinate r; columns: 5 cells on base 3 -> c * 3/5
        double col = (float) c / (float) (5.0 / 3);
        double row = r;
        for (int k = 0; k < 2; k++) {
            double omega = 1 / Math.pow(10000, k / 2.0);
            assertEquals(Math.sin(col * omega), p[base + k], 1e-6);
            assertEquals(Math.cos(col * omega), p[base + 2 + k], 1e-6);
            assertEquals(Math.sin(row * omega), p[base + 4 + k], 1e-6);
            assertEquals(Math.cos(row * omega), p[base + 6 + k], 1e-6);
        }
    }
}
