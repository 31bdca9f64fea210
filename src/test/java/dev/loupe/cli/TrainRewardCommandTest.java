package dev.loupe.cli;

import static dev.loupe.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.loupe.OneTorchThread;
import dev.loupe.eval.RewardModel;
import dev.loupe.eval.reward.Corruption;
import dev.loupe.models.ModelCard;
import dev.loupe.tensor.train.Checkpoint;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(OneTorchThread.class)
class TrainRewardCommandTest {
    @TempDir Path dir;

    @Test
    void trainsEvaluatesWritesACardAndResumes() {
        Path out = dir.resolve("reward");
        Cli.Result first = run("train", "reward", "--steps", "2", "--batch", "4", "--eval-scenes", "6", "--out", out.toString());
        assertEquals(0, first.exitCode(), first.err());
        assertTrue(first.out().contains("trained the reward model for 2 steps"), first.out());
        assertTrue(first.out().contains("held out clean") && first.out().contains("held out degraded"), first.out());
        Checkpoint.Info firstRun = Checkpoint.info(out.resolve("checkpoint"));
        assertEquals(2, firstRun.step());

        ModelCard card = ModelCard.read(out);
        card.verify();
        assertEquals("reward", card.kind());
        assertTrue(card.reproduce().startsWith("./loupe train reward --steps 2 --batch 4"), card.reproduce());
        JsonObject clean = card.metrics().getAsJsonObject("held_out_clean");
        assertEquals(6, clean.get("scenes").getAsInt());
        for (String key : new String[] {"objects_exact", "object_recall", "count", "background_kind", "background_colour"}) {
            double v = clean.get(key).getAsDouble();
            assertTrue(v >= 0 && v <= 1, key + " = " + v);
        }
        JsonObject pairwise = card.metrics().getAsJsonObject("held_out_degraded").getAsJsonObject("pairwise_true_over_corrupted");
        for (Corruption c : Corruption.values()) assertTrue(pairwise.has(c.key()), c.key());
        assertTrue(card.metrics().getAsJsonObject("throughput").get("images_per_second_one_thread").getAsDouble() > 0);
        assertTrue(card.json().getAsJsonObject("data").get("train_seeds").getAsString().startsWith("0..7"));
        try (NDManager m = NDManager.newBaseManager()) {
            RewardModel.load(out, m); // the folder is a loadable model
        }

        Cli.Result again = run("train", "reward", "--steps", "3", "--batch", "4", "--eval-scenes", "6", "--out", out.toString());
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.out().contains("for 3 steps"), again.out());
        // resumed, not restarted: the first two losses are those of the first run
        JsonArray before = firstRun.metadata().getAsJsonArray("losses");
        JsonArray after = Checkpoint.info(out.resolve("checkpoint")).metadata().getAsJsonArray("losses");
        assertEquals(3, after.size());
        assertEquals(before.get(0), after.get(0));
        assertEquals(before.get(1), after.get(1));
        assertEquals(3, ModelCard.read(out).json().getAsJsonObject("training").get("steps").getAsInt());
    }

    @Test
    void badOptionsAreRefused() {
        Cli.Result steps = run("train", "reward", "--steps", "0", "--out", dir.resolve("x").toString());
        assertEquals(2, steps.exitCode());
        assertTrue(steps.err().contains("--steps must be at least 1"), steps.err());
    }
}
