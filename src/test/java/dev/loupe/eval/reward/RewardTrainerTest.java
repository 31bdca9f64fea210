package dev.loupe.eval.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.loupe.OneTorchThread;
import dev.loupe.Progress;
import dev.loupe.tensor.train.Checkpoint;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(OneTorchThread.class)
class RewardTrainerTest {
    /** A tiny network, so that a test trains in seconds. */
    private static final RewardConfig TINY = new RewardConfig(32, List.of(8, 16), 1, 32, 16);

    @TempDir Path dir;

    private static RewardTrainer.Options options(long steps, Path checkpoints) {
        return new RewardTrainer.Options(16, steps, 3e-3f, 5, 4, checkpoints, Degrade.TRAINING, 4);
    }

    @Test
    void lossFallsInAFewSteps() {
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(1);
            RewardNet net = new RewardNet(manager, TINY);
            RewardTrainer.Result result = new RewardTrainer(net, options(40, null)).train(Progress.NONE);
            List<Double> losses = result.losses();
            assertEquals(40, losses.size());
            double first = losses.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double last = losses.subList(35, 40).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            assertTrue(last < 0.85 * first, "loss went from " + first + " to " + last);
            assertFalse(net.isTraining(), "the trainer leaves the network in inference mode");
        }
    }

    @Test
    void aResumedRunEndsWhereAnUninterruptedOneDoes() {
        Path straight = dir.resolve("straight");
        Path split = dir.resolve("split");
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(7);
            RewardNet a = new RewardNet(manager, TINY);
            new RewardTrainer(a, options(8, straight)).train(Progress.NONE);

            manager.getEngine().setRandomSeed(7); // the same initial weights
            RewardNet b = new RewardNet(manager, TINY);
            // stop after 4 steps, as a killed run would have its checkpoint at step 4
            RewardTrainer.Result half = new RewardTrainer(b, options(8, split)).train(new StopAt(4));
            assertTrue(half.cancelled());
            assertEquals(4, Checkpoint.info(split).step());

            RewardNet c = new RewardNet(manager, TINY);
            RewardTrainer.Result rest = new RewardTrainer(c, options(8, split)).train(Progress.NONE);
            assertEquals(8, rest.step());
            assertEquals(8, rest.losses().size());
            Map<String, float[]> expected = weights(a);
            Map<String, float[]> actual = weights(c);
            for (String key : expected.keySet()) assertArrayEquals(expected.get(key), actual.get(key), 1e-5f, key);
        }
    }

    private static Map<String, float[]> weights(RewardNet net) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        net.namedParameters().forEach((k, v) -> out.put(k, v.array().toType(DataType.FLOAT32, false).toFloatArray()));
        return out;
    }

    /** Cancels once the given number of steps is done. */
    private static final class StopAt implements Progress {
        private final long steps;
        private long done;

        StopAt(long steps) {
            this.steps = steps;
        }

        @Override
        public void update(double fraction, String message) {
            if (message.startsWith("reward step")) done++;
        }

        @Override
        public boolean isCancelled() {
            return done >= steps;
        }
    }
}
