package dev.loupe.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The sample images in assets/ are what their README says: ShapesWorld seeds 183..188 at 448 px. */
class SampleAssetsTest {
    @Test
    void samplesAreTheRecordedScenes() throws IOException {
        String readme = Files.readString(Path.of("assets/README.md"));
        for (int i = 0; i < 6; i++) {
            long seed = 183 + i;
            String file = String.format("shapes-%02d.png", i + 1);
            RenderedScene scene = ShapesWorld.render(seed, 448);
            BufferedImage image = ImageIO.read(Path.of("assets/samples", file).toFile());
            int differing = 0;
            for (int y = 0; y < 448; y++) {
                for (int x = 0; x < 448; x++) if ((image.getRGB(x, y) & 0xffffff) != scene.rgbAt(x, y)) differing++;
            }
            assertEquals(0, differing, file + " is not the scene of seed " + seed);
            assertTrue(readme.contains("| " + file + " | " + seed + " | " + scene.caption() + " |"), file);
        }
    }
}
