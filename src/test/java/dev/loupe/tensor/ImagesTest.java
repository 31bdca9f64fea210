package dev.loupe.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.LoupeException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {
    @TempDir Path dir;

    private static BufferedImage gradient(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | 77);
        return img;
    }

    @Test
    void interleavedBytesAreTheImagesPixels() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray batch = m.randomUniform(-0.2f, 1.2f, new Shape(2, 3, 5, 7)); // outside [0,1] too: clipped
            byte[][] bytes = Images.interleavedRgb(batch);
            assertEquals(2, bytes.length);
            for (int b = 0; b < 2; b++) {
                BufferedImage image = Images.toImage(batch.get(b));
                assertEquals(3 * 5 * 7, bytes[b].length);
                for (int y = 0; y < 5; y++) {
                    for (int x = 0; x < 7; x++) {
                        int q = 3 * (y * 7 + x);
                        int rgb = ((bytes[b][q] & 0xff) << 16) | ((bytes[b][q + 1] & 0xff) << 8) | (bytes[b][q + 2] & 0xff);
                        assertEquals(image.getRGB(x, y) & 0xffffff, rgb, "image " + b + " at " + x + "," + y);
                    }
                }
            }
            assertThrows(IllegalArgumentException.class, () -> Images.interleavedRgb(m.zeros(new Shape(3, 5, 7))));
        }
    }

    @Test
    void planarFloatsUndoInterleavedBytes() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] levels = new float[3 * 5 * 7];
            for (int i = 0; i < levels.length; i++) levels[i] = (i * 37 % 256) / 255f; // exactly representable as bytes
            NDArray image = m.create(levels, new Shape(1, 3, 5, 7));
            byte[] bytes = Images.interleavedRgb(image)[0];
            float[] into = new float[4 + levels.length];
            java.util.Arrays.fill(into, -9f);
            Images.planarRgb(bytes, into, 4);
            assertArrayEquals(new float[] {-9f, -9f, -9f, -9f}, java.util.Arrays.copyOf(into, 4), 0f, "nothing before the offset");
            assertArrayEquals(levels, java.util.Arrays.copyOfRange(into, 4, into.length), 0f);
        }
    }

    @Test
    void pngRoundTripKeepsEveryPixel() throws IOException {
        Path png = dir.resolve("g.png");
        Images.writePng(png, gradient(21, 13));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray t = Images.read(png, m);
            assertEquals(new Shape(1, 3, 13, 21), t.getShape());
            assertEquals(77 / 255f, t.get("0, 2, 5, 7").getFloat(), 1e-6f);
            assertEquals(20 * 255 / 21 / 255f, t.get("0, 0, 0, 20").getFloat(), 1e-6f);
            Path again = dir.resolve("again.png");
            Images.writePng(again, t);
            assertArrayEquals(t.toFloatArray(), Images.read(again, m).toFloatArray(), 0f);
        }
    }

    @Test
    void notAnImageTruncatedAndTooLargeAreNamed() throws IOException {
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not an image at all");
        Path png = dir.resolve("big.png");
        Images.writePng(png, gradient(200, 100));
        byte[] all = Files.readAllBytes(png);
        Path cut = dir.resolve("cut.png");
        Files.write(cut, Arrays.copyOf(all, all.length / 2));
        try (NDManager m = NDManager.newBaseManager()) {
            LoupeException e = assertThrows(LoupeException.class, () -> Images.read(text, m));
            assertTrue(e.getMessage().contains("notes.png") && e.getMessage().contains("not an image"), e.getMessage());
            e = assertThrows(LoupeException.class, () -> Images.read(cut, m));
            assertTrue(e.getMessage().contains("cut.png") && e.getMessage().contains("truncated"), e.getMessage());
            e = assertThrows(LoupeException.class, () -> Images.read(dir.resolve("missing.png"), m));
            assertTrue(e.getMessage().contains("no such file"), e.getMessage());
            e = assertThrows(LoupeException.class, () -> Images.read(png, m, 5000, Images.TooLarge.REJECT));
            assertTrue(e.getMessage().contains("too large") && e.getMessage().contains("200x100"), e.getMessage());

            Images.Decoded d = Images.read(png, m, 5000, Images.TooLarge.RESIZE_TO_LIMIT);
            assertTrue(d.resized());
            assertTrue((long) d.width() * d.height() <= 5000, d.width() + "x" + d.height());
            assertEquals(100, d.width(), 1);
            assertTrue(d.note().contains("200x100"), d.note());
            Images.Decoded fits = Images.read(png, m, 1 << 20, Images.TooLarge.RESIZE_TO_LIMIT);
            assertFalse(fits.resized());
        }
    }

    @Test
    void imageNetNormalisationIsPerChannel() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.full(new Shape(1, 3, 1, 1), 0.5f);
            float[] n = Images.normalizeImageNet(x).toFloatArray();
            for (int c = 0; c < 3; c++) assertEquals((0.5f - Images.IMAGENET_MEAN[c]) / Images.IMAGENET_STD[c], n[c], 1e-6f);
        }
    }
}
