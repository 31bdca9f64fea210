package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.loupe.models.ModelCard;
import dev.loupe.upsample.uplift.UpliftConfig;
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

    @Test
    void aConfigurationFileTrainsWithItsOwnTrainSection() throws IOException {
        Path vit = TrainBackboneCommandTest.trainTiny(dir.resolve("vit"));
        JsonObject cfg = UpliftConfig.named(UpliftConfig.SAMPLE_VIT).forBackbone(32, 16, "tiny", "tiny").toJsonTree().getAsJsonObject();
        JsonObject train = cfg.getAsJsonObject("train");
        train.addProperty("imsize", 128);
        train.addProperty("down_steps", 1);
        train.addProperty("batch_size", 2);
        train.addProperty("lr", 0.002);
        Path file = dir.resolve("small.json");
        Files.writeString(file, cfg.toString());
        Path up = dir.resolve("up");
        Cli.Result r = Cli.run("train", "uplift", "--backbone", vit.toString(), "--config", file.toString(), "--steps", "1",
                "--eval-scenes", "2", "--out", up.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("1 steps of 2 scenes at 128 px, 1 depths"), r.out());
        JsonObject data = ModelCard.read(up).json().getAsJsonObject("data");
        assertEquals(128, data.get("image_size").getAsInt());
        assertEquals(1, data.get("depths").getAsInt());
        assertEquals(2, data.get("batch_size").getAsInt());
        assertEquals(0.002, data.get("learning_rate").getAsDouble(), 1e-6);

        train.addProperty("loss", "cosine");
        Files.writeString(file, cfg.toString());
        Path refused = dir.resolve("refused");
        Cli.Result cosine = Cli.run("train", "uplift", "--backbone", vit.toString(), "--config", file.toString(), "--steps", "1",
                "--out", refused.toString());
        assertEquals(1, cosine.exitCode());
        assertTrue(cosine.userErr().contains("small.json") && cosine.userErr().contains("loss cosine"), cosine.userErr());
        assertFalse(Files.exists(refused.resolve("model.json")));
    }
}
