package dev.loupe.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class SimilarityTest {
    @Test
    void cosineAgainstEveryCellAndPixelToCellMapping() {
        // 2 channels, 2 x 3 grid: cells point along (1,0), (0,1), (1,1), (-1,0), (2,0), (0,-3)
        float[] ch0 = {1, 0, 1, -1, 2, 0};
        float[] ch1 = {0, 1, 1, 0, 0, -3};
        float[] v = new float[12];
        System.arraycopy(ch0, 0, v, 0, 6);
        System.arraycopy(ch1, 0, v, 6, 6);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray f = m.create(v, new Shape(1, 2, 2, 3));
            // pixel (10, 3) of a 48 x 32 image is in cell (0, 0)
            assertArrayEquals(new int[] {0, 0}, Similarity.cell(f, 10, 3, 48, 32));
            assertArrayEquals(new int[] {2, 1}, Similarity.cell(f, 47, 31, 48, 32));
            Similarity.Scores s = Similarity.fromPixel(f, 10, 3, 48, 32);
            float r = (float) Math.sqrt(0.5);
            assertArrayEquals(new float[] {1, 0, r, -1, 1, 0}, s.values(), 1e-6f);
            assertEquals(3, s.width());
            assertEquals(2, s.height());
            BufferedImage img = s.render(ColourMap.VIRIDIS, -1, 1, 48, 32);
            assertEquals(48, img.getWidth());
            assertEquals(ColourMap.VIRIDIS.rgb(1), img.getRGB(0, 0) & 0xffffff);
            assertEquals(ColourMap.VIRIDIS.rgb(0.5), img.getRGB(47, 31) & 0xffffff); // cosine 0
            assertEquals(ColourMap.VIRIDIS.rgb(0), img.getRGB(0, 31) & 0xffffff); // cosine -1
            assertEquals(ColourMap.VIRIDIS.rgb(0.5), img.getRGB(20, 0) & 0xffffff);
            assertThrows(IllegalArgumentException.class, () -> Similarity.cell(f, 48, 0, 48, 32));
        }
    }

    @Test
    void colourMapEndsAndOverlayBlend() {
        assertEquals(0x440154, ColourMap.VIRIDIS.rgb(0));
        assertEquals(0xfde725, ColourMap.VIRIDIS.rgb(1));
        assertEquals(0x440154, ColourMap.VIRIDIS.rgb(Double.NaN));
        BufferedImage white = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) white.setRGB(x, y, 0xffffff);
        BufferedImage red = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        red.setRGB(0, 0, 0xff0000);
        BufferedImage blended = Overlay.blend(white, red, 0.5);
        assertEquals(0xff8080, blended.getRGB(1, 1) & 0xffffff); // top-left block is red at half opacity
        assertEquals(0x808080, blended.getRGB(3, 3) & 0xffffff); // others black at half opacity
        assertEquals(0xffffff, Overlay.blend(white, red, 0).getRGB(0, 0) & 0xffffff);
        assertThrows(IllegalArgumentException.class, () -> Overlay.blend(white, red, 1.5));
    }
}
