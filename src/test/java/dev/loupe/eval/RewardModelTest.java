package dev.loupe.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.LoupeException;
import dev.loupe.OneTorchThread;
import dev.loupe.eval.reward.Corruption;
import dev.loupe.eval.reward.RewardConfig;
import dev.loupe.eval.reward.RewardData;
import dev.loupe.eval.reward.RewardNet;
import dev.loupe.models.LoupeHome;
import dev.loupe.tensor.Resize;
import dev.loupe.world.CaptionException;
import dev.loupe.world.ParsedCaption;
import dev.loupe.world.SceneSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(OneTorchThread.class)
class RewardModelTest {
    private static final RewardConfig TINY = new RewardConfig(32, List.of(8, 16), 1, 32, 16);

    @TempDir Path dir;

    @Test
    void scoresBatchesWithOnePromptPerImage() {
        try (NDManager m = NDManager.newBaseManager()) {
            RewardModel model = new RewardModel(new RewardNet(m, TINY));
            int n = RewardModel.CHUNK + 9; // more than one forward pass
            NDArray images = m.randomUniform(0f, 1f, new Shape(n, 3, 32, 32));
            List<String> prompts = new ArrayList<>();
            for (int i = 0; i < n; i++) prompts.add(i % 2 == 0 ? "a red circle" : "a blue star and a green ring on a plain gray background");
            long before = m.getManagedArrays().size();
            float[] rewards = model.score(images, prompts);
            assertEquals(before, m.getManagedArrays().size(), "scoring leaves no arrays behind");
            assertEquals(n, rewards.length);
            for (float r : rewards) assertTrue(r >= 0 && r <= 1, "reward " + r);
            // one image alone scores as it does in the batch
            float[] single = model.score(images.get("{}:{}", RewardModel.CHUNK + 3, RewardModel.CHUNK + 4), prompts.get(RewardModel.CHUNK + 3));
            assertEquals(rewards[RewardModel.CHUNK + 3], single[0], 1e-5f);
        }
    }

    @Test
    void otherSizesAreResizedToTheModels() {
        try (NDManager m = NDManager.newBaseManager()) {
            RewardModel model = new RewardModel(new RewardNet(m, TINY));
            NDArray big = m.randomUniform(0f, 1f, new Shape(2, 3, 64, 48));
            float[] direct = model.score(big, "a red circle");
            float[] resized = model.score(Resize.torchvisionBilinear(big, 32, 32), "a red circle");
            assertArrayEquals(resized, direct, 1e-6f);
        }
    }

    @Test
    void badInputGetsClearErrors() {
        try (NDManager m = NDManager.newBaseManager()) {
            RewardModel model = new RewardModel(new RewardNet(m, TINY));
            NDArray images = m.zeros(new Shape(2, 3, 32, 32));
            IllegalArgumentException count = assertThrows(IllegalArgumentException.class, () -> model.score(images, List.of("a red circle")));
            assertTrue(count.getMessage().contains("1 prompts for 2 images"), count.getMessage());
            CaptionException grammar = assertThrows(CaptionException.class, () -> model.score(images, List.of("a red circle", "a red circle in a box")));
            assertTrue(grammar.getMessage().contains("\"in\""), grammar.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.score(m.zeros(new Shape(2, 1, 32, 32)), "a red circle"));
        }
    }

    @Test
    void savedFolderLoadsBackAndDamageIsDetected() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            RewardNet net = new RewardNet(m, TINY);
            Path folder = dir.resolve("reward");
            Files.createDirectories(folder);
            net.save(folder.resolve(RewardModel.WEIGHTS));
            String card = "{\"name\": \"reward\", \"kind\": \"reward\", \"architecture\": " + TINY.toJson()
                    + ", \"files\": {\"reward.safetensors\": {\"sha256\": \"" + dev.loupe.models.ModelCard.sha256(folder.resolve(RewardModel.WEIGHTS)) + "\"}}}";
            Files.writeString(folder.resolve("model.json"), card);
            RewardModel loaded = RewardModel.load(folder, m);
            NDArray images = m.randomUniform(0f, 1f, new Shape(3, 3, 32, 32));
            assertArrayEquals(new RewardModel(net).score(images, "a red circle"), loaded.score(images, "a red circle"), 1e-6f);

            Files.writeString(folder.resolve("model.json"), card.replace("\"kind\": \"reward\"", "\"kind\": \"backbone\""));
            LoupeException kind = assertThrows(LoupeException.class, () -> RewardModel.load(folder, m));
            assertTrue(kind.getMessage().contains("backbone"), kind.getMessage());
            Files.writeString(folder.resolve("model.json"), card);
            byte[] bytes = Files.readAllBytes(folder.resolve(RewardModel.WEIGHTS));
            bytes[bytes.length - 1] ^= 1;
            Files.write(folder.resolve(RewardModel.WEIGHTS), bytes);
            LoupeException damaged = assertThrows(LoupeException.class, () -> RewardModel.load(folder, m));
            assertTrue(damaged.getMessage().contains("damaged"), damaged.getMessage());
            LoupeException missing = assertThrows(LoupeException.class, () -> RewardModel.load(dir.resolve("nothing"), m));
            assertTrue(missing.getMessage().contains("no model.json"), missing.getMessage());
        }
    }

    /** The shipped weights prefer the true caption of held-out scenes to captions with one attribute changed. */
    @Test
    void shippedModelPrefersTrueCaptions() {
        Path folder = LoupeHome.sampleModels().resolve(RewardModel.NAME);
        assumeTrue(Files.isRegularFile(folder.resolve("model.json")), "no shipped reward model in " + folder);
        try (NDManager m = NDManager.newBaseManager()) {
            RewardModel model = RewardModel.load(folder, m);
            int n = 16;
            RewardData.Scenes scenes = RewardData.heldOut(RewardData.HELD_OUT_FIRST_SEED + 5000, n, model.config(), null);
            NDArray images = scenes.toBatch(m).images();
            List<String> truth = scenes.specs().stream().map(SceneSpec::caption).toList();
            float[] rewards = model.score(images, truth);
            int wins = 0;
            int trials = 0;
            for (Corruption c : Corruption.values()) {
                List<String> wrong = new ArrayList<>();
                List<Integer> which = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    int index = i;
                    c.apply(ParsedCaption.of(scenes.specs().get(i)), new Random(i)).ifPresent(w -> {
                        wrong.add(w.text());
                        which.add(index);
                    });
                }
                NDArray subset = images.get(m.create(which.stream().mapToLong(Integer::longValue).toArray()));
                float[] corrupted = model.score(subset, wrong);
                for (int k = 0; k < which.size(); k++) if (rewards[which.get(k)] > corrupted[k]) wins++;
                trials += which.size();
            }
            assertTrue(wins >= 0.9 * trials, "true caption preferred in " + wins + " of " + trials);
            // the reward is the probability of an exact match; the card reports its mean on 2000 clean held-out scenes
            double mean = 0;
            for (float r : rewards) mean += r / n;
            assertTrue(mean > 0.15, "mean reward of true captions " + mean);
        }
    }
}
