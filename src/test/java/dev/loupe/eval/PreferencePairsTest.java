package dev.loupe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.LoupeException;
import dev.loupe.Progress;
import dev.loupe.diffusion.DitTrainer;
import dev.loupe.diffusion.PixArtConfig;
import dev.loupe.diffusion.PreferenceTrainer;
import dev.loupe.diffusion.PromptEncoderConfig;
import dev.loupe.diffusion.Sampler;
import dev.loupe.diffusion.TextToImageConfig;
import dev.loupe.diffusion.TextToImageModel;
import dev.loupe.eval.reward.RewardPrompt;
import dev.loupe.eval.reward.RewardRule;
import dev.loupe.world.ShapesWorld;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A round's pairs from a tiny model and the shipped reward model: the captions, the winners, the margin. */
class PreferencePairsTest {
    private static final long FIRST_SCENE = 700;

    @Test
    void keepsTheBetterRenderAsWinnerAndOnlyPairsApartByTheMargin() {
        try (NDManager nd = NDManager.newBaseManager()) {
            TextToImageModel model = new TextToImageModel(nd, new TextToImageConfig(PixArtConfig.of(2, 8, 1, 3, 3, 32, 8, 16),
                    PromptEncoderConfig.of(16, 1, 2, 24), new TextToImageConfig.SamplerSettings(3, 3.0, 1.0)));
            DitTrainer.initialise(model, 5);
            Sampler sampler = new Sampler(model);
            RewardModel reward = RewardModel.shipped(nd);
            // more captions than one batch: the second batch's seeds follow the first's
            int captions = PreferencePairs.CAPTIONS_PER_BATCH + 3;
            PreferencePairs.Round all = PreferencePairs.render(sampler, reward, FIRST_SCENE, captions, 0, Progress.NONE);
            assertEquals(captions, all.captions());
            assertEquals(captions, all.pairs().size(), "a margin of 0 keeps every caption");
            double[] gaps = new double[captions];
            double rewardSum = 0;
            for (int i = 0; i < captions; i++) {
                PreferenceTrainer.Pair pair = all.pairs().get(i);
                String caption = ShapesWorld.scene(FIRST_SCENE + i).caption();
                assertEquals(caption, pair.caption(), "in scene order");
                double winner = logReward(nd, reward, pair.winner(), caption);
                double loser = logReward(nd, reward, pair.loser(), caption);
                // the bytes are the renders rounded to 8 bits: their scores are the renders' up to that rounding
                assertTrue(winner >= loser - 0.05, caption + ": winner " + winner + ", loser " + loser);
                gaps[i] = Math.abs(winner - loser);
                rewardSum += Math.exp(winner) + Math.exp(loser);
            }
            assertEquals(rewardSum / (2 * captions), all.meanReward(), 0.01);
            double[] sorted = gaps.clone();
            java.util.Arrays.sort(sorted);
            double margin = sorted[captions / 2];
            PreferencePairs.Round apart = PreferencePairs.render(sampler, reward, FIRST_SCENE, captions, margin, Progress.NONE);
            assertTrue(apart.pairs().size() < captions && !apart.pairs().isEmpty(), apart.pairs().size() + " pairs at margin " + margin);
            for (PreferenceTrainer.Pair pair : apart.pairs()) {
                int i = 0;
                while (!all.pairs().get(i).caption().equals(pair.caption())) i++;
                assertTrue(gaps[i] >= margin - 0.05, "kept at a gap of " + gaps[i]);
            }
            assertThrows(LoupeException.class, () -> PreferencePairs.render(sampler, reward, FIRST_SCENE, 0, 1, Progress.NONE));
            assertThrows(LoupeException.class, () -> PreferencePairs.render(sampler, reward, FIRST_SCENE, 4, -1, Progress.NONE));
        }
    }

    private static double logReward(NDManager nd, RewardModel reward, byte[] rgb, String caption) {
        int plane = rgb.length / 3;
        int size = (int) Math.round(Math.sqrt(plane));
        float[] v = new float[rgb.length];
        for (int q = 0; q < plane; q++) {
            for (int c = 0; c < 3; c++) v[c * plane + q] = (rgb[3 * q + c] & 0xff) / 255f;
        }
        try (NDManager scope = nd.newSubManager()) {
            NDArray image = scope.create(v, new Shape(1, 3, size, size));
            return RewardRule.logReward(reward.predict(image).get(0), RewardPrompt.parse(caption));
        }
    }
}
