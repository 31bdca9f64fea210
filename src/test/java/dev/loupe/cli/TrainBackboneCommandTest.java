package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.loupe.backbone.Backbone;
import dev.loupe.backbone.Backbones;
import dev.loupe.models.ModelCard;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainBackboneCommandTest {
    @TempDir Path dir;

    /** A tiny sample ViT folder as the command writes it (2 steps, width 32, one block). */
    static Path trainTiny(Path out) {
        Cli.Result r = Cli.run("train", "backbone", "--steps", "2", "--width", "32", "--depth", "1", "--eval-scenes", "4",
                "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        return out;
    }

    @Test
    void writesWeightsAndACardThatReproducesAndLoads() {
        Path out = trainTiny(dir.resolve("vit"));
        ModelCard card = ModelCard.read(out);
        card.verify();
        assertEquals("backbone", card.kind());
        assertEquals("./loupe train backbone --steps 2 --out " + out + " --eval-scenes 4 --width 32 --depth 1", card.reproduce());
        JsonObject metrics = card.metrics();
        double accuracy = metrics.getAsJsonObject("at_256px").get("patch_accuracy").getAsDouble();
        assertTrue(accuracy >= 0 && accuracy <= 1, "patch accuracy " + accuracy);
        assertEquals(4, metrics.getAsJsonObject("at_128px").get("held_out_scenes").getAsInt());
        assertTrue(card.json().getAsJsonObject("training_time").get("seconds").getAsDouble() >= 0);
        assertEquals(2, card.json().getAsJsonObject("training_time").get("steps").getAsInt());
        try (Backbone b = Backbones.open(out.toString())) {
            assertEquals(32, b.channels());
            assertEquals(16, b.patchSize());
        }
        // a finished folder is not overwritten, a checkpoint folder is resumed
        assertTrue(Files.isDirectory(out.resolve("checkpoint")));
        Cli.Result again = Cli.run("train", "backbone", "--steps", "3", "--width", "32", "--depth", "1", "--eval-scenes", "4",
                "--out", out.toString());
        assertEquals(0, again.exitCode(), again.err());
        assertEquals(3, ModelCard.read(out).json().getAsJsonObject("training_time").get("steps").getAsInt());
        assertEquals(3, dev.loupe.tensor.train.Checkpoint.info(out.resolve("checkpoint")).metadata().getAsJsonArray("losses").size());
    }

    @Test
    void refusesToOverwriteAModelWithoutCheckpoint() throws Exception {
        Path out = Files.createDirectories(dir.resolve("done"));
        Files.writeString(out.resolve("model.json"), "{}");
        Cli.Result r = Cli.run("train", "backbone", "--steps", "1", "--out", out.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.userErr().startsWith("loupe: " + out + " already holds a trained model"), r.err());
        assertEquals("{}", Files.readString(out.resolve("model.json")));
    }
}
