package dev.loupe.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.engine.Engine;
import dev.loupe.Progress;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleVitTrainerTest {
    static final SampleVitConfig TINY = new SampleVitConfig(16, 32, 2, 2, 64, 9, 64, java.util.List.of(8, 8, 16));

    static SampleVitTrainer.Options options(long steps, Path dir) {
        return new SampleVitTrainer.Options(steps, 2e-3f, 2, new int[] {32, 64}, 64, 1_000_000L, 2, dir);
    }

    @Test
    void resumedRunEqualsUninterruptedRun(@TempDir Path tmp) {
        Engine.getInstance().setRandomSeed(7);
        float[][] straight;
        try (NDManager m = NDManager.newBaseManager()) {
            SampleVit vit = new SampleVit(m, TINY);
            vit.save(tmp.resolve("init.safetensors"));
            SampleVitTrainer.Result r = new SampleVitTrainer(vit, options(4, tmp.resolve("a"))).train(Progress.NONE);
            assertEquals(4, r.step());
            straight = weights(vit);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            SampleVit vit = new SampleVit(m, TINY);
            vit.load(tmp.resolve("init.safetensors"), k -> false);
            SampleVitTrainer.Result first = new SampleVitTrainer(vit, options(2, tmp.resolve("b"))).train(Progress.NONE);
            assertEquals(2, first.step());
        }
        try (NDManager m = NDManager.newBaseManager()) {
            SampleVit vit = new SampleVit(m, TINY); // fresh random weights: the checkpoint must replace them all
            SampleVitTrainer.Result rest = new SampleVitTrainer(vit, options(4, tmp.resolve("b"))).train(Progress.NONE);
            assertEquals(4, rest.step());
            assertEquals(4, rest.losses().size());
            float[][] resumed = weights(vit);
            for (int i = 0; i < straight.length; i++) assertArrayEquals(straight[i], resumed[i], 1e-5f);
        }
    }

    @Test
    void cancellationStopsBetweenStepsAndSaves(@TempDir Path tmp) {
        try (NDManager m = NDManager.newBaseManager()) {
            SampleVit vit = new SampleVit(m, TINY);
            int[] updates = {0};
            Progress cancelAfterOne = new Progress() {
                @Override public void update(double fraction, String message) { updates[0]++; }
                @Override public boolean isCancelled() { return updates[0] >= 1; }
            };
            SampleVitTrainer.Result r = new SampleVitTrainer(vit, options(10, tmp)).train(cancelAfterOne);
            assertTrue(r.cancelled());
            assertEquals(1, r.step());
            assertTrue(dev.loupe.tensor.train.Checkpoint.exists(tmp));
            assertEquals(1, dev.loupe.tensor.train.Checkpoint.info(tmp).step());
        }
    }

    @Test
    void lossFallsOnShapesWorld() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            SampleVit vit = new SampleVit(m, TINY);
            SampleVitTrainer.Result r = new SampleVitTrainer(vit, new SampleVitTrainer.Options(30, 3e-3f, 3, new int[] {64}, 256,
                    1_000_000L, 0, null)).train(Progress.NONE);
            double first = r.losses().subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double last = r.losses().subList(25, 30).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            assertTrue(last < 0.8 * first, "loss " + first + " -> " + last);
            assertFalse(Double.isNaN(last));
        }
    }

    @Test
    void objectWeightOneIsThePlainMeanAndLargerWeightsChangeTheStep(@TempDir Path tmp) throws java.io.IOException {
        Path init = tmp.resolve("init.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            new SampleVit(m, TINY).save(init);
        }
        float[][] plain = oneStep(init, new SampleVitTrainer.Options(1, 1e-3f, 1, new int[] {64}, 64, 1_000_000L, 0, null));
        float[][] unit = oneStep(init, new SampleVitTrainer.Options(1, 1e-3f, 1, new int[] {64}, 64, 1_000_000L, 0, null, 1f));
        float[][] weighted = oneStep(init, new SampleVitTrainer.Options(1, 1e-3f, 1, new int[] {64}, 64, 1_000_000L, 0, null, 5f));
        for (int i = 0; i < plain.length; i++) assertArrayEquals(plain[i], unit[i], 0f);
        boolean differs = false;
        for (int i = 0; i < plain.length && !differs; i++) differs = !java.util.Arrays.equals(plain[i], weighted[i]);
        assertTrue(differs, "weighting object patches must change the update");
        assertThrows(dev.loupe.LoupeException.class,
                () -> new SampleVitTrainer.Options(1, 1e-3f, 1, new int[] {64}, 64, 1_000_000L, 0, null, 0.5f));
    }

    private static float[][] oneStep(Path init, SampleVitTrainer.Options options) {
        try (NDManager m = NDManager.newBaseManager()) {
            SampleVit vit = new SampleVit(m, TINY);
            vit.load(init, k -> false);
            new SampleVitTrainer(vit, options).train(Progress.NONE);
            return weights(vit);
        }
    }

    static float[][] weights(SampleVit vit) {
        Map<String, NDArray> state = vit.stateDict();
        float[][] out = new float[state.size()][];
        int i = 0;
        for (NDArray a : state.values()) out[i++] = a.toFloatArray();
        return out;
    }
}
