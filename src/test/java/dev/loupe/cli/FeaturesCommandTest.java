package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.SafeTensors;
import dev.loupe.world.ScenePngs;
import dev.loupe.world.ShapesWorld;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeaturesCommandTest {
    @TempDir static Path shared;
    static Path vit;
    static Path scene;

    @TempDir Path dir;

    @BeforeAll
    static void tinyModelsAndImage() throws IOException {
        vit = TrainBackboneCommandTest.trainTiny(shared.resolve("vit"));
        scene = Files.write(shared.resolve("scene.png"), ScenePngs.image(ShapesWorld.render(3, 80)));
    }

    @Test
    void writesPcaImagesOverlayAndDenseFeatures() throws IOException {
        Path out = dir.resolve("f");
        Cli.Result r = Cli.run("features", "--image", scene.toString(), "--backbone", vit.toString(), "--upsampler", "bilinear",
                "--size", "64", "--similarity", "10,20", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        for (String stage : new String[] {"decode", "resize", "backbone", "upsample", "pca", "write"}) {
            assertTrue(r.out().matches("(?s).*\\n  " + stage + " +[0-9.]+ ms\\n.*"), stage + " timing missing:\n" + r.out());
        }
        for (String png : new String[] {"input.png", "lowres_pca.png", "upsampled_pca.png", "overlay.png", "lowres_similarity.png",
                "upsampled_similarity.png"}) {
            BufferedImage image = ImageIO.read(out.resolve(png).toFile());
            assertEquals(64, image.getWidth(), png);
            assertEquals(64, image.getHeight(), png);
        }
        // the low-resolution PCA shows 4 x 4 tokens as 16 x 16 blocks
        BufferedImage low = ImageIO.read(out.resolve("lowres_pca.png").toFile());
        for (int y = 0; y < 64; y += 16) for (int x = 0; x < 64; x += 16) assertEquals(low.getRGB(x, y), low.getRGB(x + 15, y + 15));
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> f = SafeTensors.read(out.resolve("dense_features.safetensors"), m);
            assertEquals(new Shape(1, 32, 64, 64), f.get("features").getShape());
            assertEquals(new Shape(1, 32, 4, 4), f.get("low_res").getShape());
        }
    }

    @Test
    void exportedOnnxBackboneWithNearestUpsampler() throws IOException {
        Path out = dir.resolve("onnx");
        Cli.Result r = Cli.run("features", "--image", scene.toString(), "--backbone", "src/test/resources/backbones/tiny_backbone.onnx",
                "--upsampler", "nearest", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("tiny test backbone (8 channels, patch 4) + nearest: 32x32 px, 8x8 tokens"), r.out());
        assertEquals(32, ImageIO.read(out.resolve("overlay.png").toFile()).getWidth());
    }

    @Test
    void largeImagesAreShrunkWithANote() {
        Cli.Result r = Cli.run("features", "--image", scene.toString(), "--backbone", vit.toString(), "--upsampler", "bilinear",
                "--max-pixels", "1600", "--size", "32", "--out", dir.resolve("small").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("note: " + scene + " was resized from 80x80 to 40x40"), r.out());
    }

    @Test
    void badInputsGetOneLine() throws IOException {
        Path notImage = Files.writeString(dir.resolve("notes.png"), "hello");
        Path junkModel = Files.writeString(dir.resolve("junk.pt"), "not a model");
        String[][] cases = {
            {notImage.toString(), vit.toString(), "bilinear", notImage + " is not an image Loupe can read"},
            {dir.resolve("missing.png").toString(), vit.toString(), "bilinear", dir.resolve("missing.png") + ": no such file"},
            {scene.toString(), junkModel.toString(), "bilinear", junkModel + " is not a TorchScript model"},
            {scene.toString(), dir.resolve("model.bin").toString(), "bilinear", dir.resolve("model.bin") + ": no such file"},
            {scene.toString(), vit.toString(), "bicubic", "unknown upsampler 'bicubic'"},
        };
        for (String[] c : cases) {
            Cli.Result r = Cli.run("features", "--image", c[0], "--backbone", c[1], "--upsampler", c[2], "--out", dir.resolve("x").toString());
            assertEquals(1, r.exitCode(), String.join(" ", c) + "\n" + r.err());
            String shown = r.userErr();
            assertTrue(shown.startsWith("loupe: " + c[3]), shown);
            assertFalse(shown.contains("\n"), shown);
        }
        Cli.Result outside = Cli.run("features", "--image", scene.toString(), "--backbone", vit.toString(), "--upsampler", "bilinear",
                "--size", "32", "--similarity", "40,0", "--out", dir.resolve("y").toString());
        assertEquals(1, outside.exitCode());
        assertTrue(outside.userErr().contains("outside the 32x32 input image"), outside.err());
    }
}
