package dev.loupe.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import dev.loupe.LoupeException;
import dev.loupe.Progress;
import dev.loupe.world.RenderedScene;
import dev.loupe.world.ShapesWorld;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Diffusion-DPO on a tiny model: where it starts, what it changes and what it refuses. */
class PreferenceTrainerTest {
    private static List<PreferenceTrainer.Pair> pairs(int n) {
        List<PreferenceTrainer.Pair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RenderedScene a = ShapesWorld.render(ShapesWorld.scene(i), 32).get(0);
            RenderedScene b = ShapesWorld.render(ShapesWorld.scene(1000 + i), 32).get(0);
            out.add(new PreferenceTrainer.Pair(a.caption(), a.rgb(), b.rgb()));
        }
        return out;
    }

    @Test
    void startsAtLogTwoMovesTheModelAndLeavesTheReference() {
        try (NDManager nd = NDManager.newBaseManager()) {
            TextToImageModel reference = new TextToImageModel(nd, DitTrainerTest.tinyConfig());
            DitTrainer.initialise(reference, 3);
            TextToImageModel model = reference.copy(nd);
            Map<String, float[]> before = DitTrainerTest.weights(reference);
            PreferenceTrainer.Result r = new PreferenceTrainer(model, reference, new PreferenceTrainer.Options(3, 2, 1e-3f, 2000, 1))
                    .train(pairs(3), Progress.NONE);
            // the model is the reference at the first step: every pair's margin is 0 and the loss is log 2
            assertEquals(Math.log(2), r.losses().get(0), 1e-5);
            assertEquals(3, r.losses().size());
            DitTrainerTest.weights(reference).forEach((k, v) -> assertArrayEquals(before.get(k), v, k));
            boolean moved = false;
            Map<String, float[]> after = DitTrainerTest.weights(model);
            for (String k : before.keySet()) moved |= !Arrays.equals(before.get(k), after.get(k));
            assertTrue(moved, "the tuned model's weights did not change");
        }
    }

    @Test
    void refusesWrongInput() {
        assertThrows(LoupeException.class, () -> new PreferenceTrainer.Options(0, 2, 1e-3f, 2000, 1));
        assertThrows(LoupeException.class, () -> new PreferenceTrainer.Options(2, 2, 1e-3f, 0, 1));
        try (NDManager nd = NDManager.newBaseManager()) {
            TextToImageModel m = new TextToImageModel(nd, DitTrainerTest.tinyConfig());
            PreferenceTrainer trainer = new PreferenceTrainer(m, m, new PreferenceTrainer.Options(1, 1, 1e-3f, 2000, 1));
            assertThrows(LoupeException.class, () -> trainer.train(List.of(), Progress.NONE));
            byte[] small = new byte[12];
            assertThrows(LoupeException.class, () -> trainer.train(List.of(new PreferenceTrainer.Pair("a red circle", small, small)), Progress.NONE));
        }
    }
}
