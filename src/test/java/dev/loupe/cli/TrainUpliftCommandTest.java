package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.loupe.models.ModelCard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainUpliftCommandTest {
    @TempDir Path dir;

    @Test
    void trainsACardedUpliftThatTheFeaturesVerbUses() throws IOException {
        Path vit = TrainBackboneCommandTest.trainTiny(dir.resolve("vit"));
        Path up = dir.resolve("up");
        Cli.Result wrongWidth = Cli.run("train", "uplift", "--backbone", vit.toString(), "--config", "sample-vit16", "--out", up.toString());
        assertEquals(1, wrongWidth.exitCode());
        assertTrue(wrongWidth.userErr().contains("--config sample-vit16 is for 128 channels at patch 16"), wrongWidth.userErr());
        Cli.Result missing = Cli.run("train", "uplift", "--backbone", vit.toString(), "--config", "no-such.yaml", "--out", up.toString());
        assertEquals(1, missing.exitCode());
        assertTrue(missing.userErr().contains("no-such.yaml") && missing.userErr().contains("no such file"), missing.userErr());
        assertFalse(Files.exists(up), "nothing written when the configuration is refused");
        Cli.Result r = Cli.run("train", "uplift", "--backbone", vit.toString(), "--steps", "2", "--batch", "2", "--eval-scenes", "2",
                "--out", up.toString());
        assertEquals(0, r.exitCode(), r.err());
        ModelCard card = ModelCard.read(up);
        card.verify();
        assertEquals("upsampler", card.kind());
        assertEquals("./loupe train uplift --backbone " + vit + " --steps 2 --out " + up + " --eval-scenes 2 --batch 2", card.reproduce());
        assertEquals(32, card.json().getAsJsonObject("architecture").getAsJsonObject("backbone").get("channel").getAsInt());
        JsonObject m = card.metrics();
        for (String name : new String[] {"uplift", "bilinear", "nearest"}) {
            double miou = m.getAsJsonObject(name).get("dense_probe_miou").getAsDouble();
            assertTrue(miou >= 0 && miou <= 1, name + " " + miou);
            assertTrue(m.getAsJsonObject(name).get("reconstruction_mse_4x").getAsDouble() >= 0);
        }
        assertEquals(256, card.json().getAsJsonObject("data").get("image_size").getAsInt());
        assertEquals(2, card.json().getAsJsonObject("training_time").get("steps").getAsInt());

        Path scene = dir.resolve("scene.png");
        Files.write(scene, dev.loupe.world.ScenePngs.image(dev.loupe.world.ShapesWorld.render(5, 64)));
        Path out = dir.resolve("features");
        Cli.Result f = Cli.run("features", "--image", scene.toString(), "--backbone", vit.toString(), "--upsampler", up.toString(),
                "--size", "64", "--out", out.toString());
        assertEquals(0, f.exitCode(), f.err());
        assertEquals(64, ImageIO.read(out.resolve("upsampled_pca.png").toFile()).getWidth());

        Cli.Result mismatch = Cli.run("features", "--image", scene.toString(), "--backbone",
                "src/test/resources/backbones/tiny_backbone.pt", "--upsampler", up.toString(), "--out", out.toString());
        assertEquals(1, mismatch.exitCode());
        String line = mismatch.userErr();
        assertTrue(line.contains("upsamples features of 32 channels") && line.contains("gives 8 channels"), line);
        assertFalse(line.contains("\n"), line);
    }
}
