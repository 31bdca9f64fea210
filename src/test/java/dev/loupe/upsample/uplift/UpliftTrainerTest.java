package dev.loupe.upsample.uplift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.train.Checkpoint;
import dev.loupe.upsample.TrainingFixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training with a stand-in backbone: a fixed random patch embedding of 8x8 patches into 16 channels ({@link TrainingFixtures}). */
class UpliftTrainerTest {
    @TempDir Path dir;

    static final String TINY = """
            description: tiny UPLiFT for tests
            backbone: {channel: 16, patch: 8}
            uplift:
              up_factor: 2
              attender: 9
              enc_share: true
              encoder:
                down_steps: 1
                block_0: {block: SingleConv, norm: batch, count: 1, hc: [8]}
                down_1: {down_op: none, factor: 1.0, residual: none}
                block_1: {block: SingleConv, norm: batch, count: 1, hc: [8]}
              decoder:
                up_steps: 1
                ncat_c: 0
                enc_resample: nearest
                block_0: {block: DoubleConv, norm: batch, count: 1, hc: [16]}
                up_1: {up_op: tconv, factor: 2, residual: bilinear}
                block_1: {block: DoubleConv, norm: batch, count: 1, hc: [16]}
            train: {imsize: 64, down_steps: 2, batch_size: 2, lr: 0.001}
            """;

    private static UpliftTrainer trainer(NDManager m, Uplift model, long steps, Path checkpoints) {
        UpliftTrainer.Options o = UpliftTrainer.options(model.config(), steps, checkpoints);
        o = new UpliftTrainer.Options(o.imageSize(), o.depths(), o.batchSize(), o.learningRate(), steps, 3, checkpoints, 0);
        return new UpliftTrainer(model, TrainingFixtures.patchEmbedding(m), (mm, step, bs, size) -> TrainingFixtures.batch(mm, step, size, bs), o);
    }

    @Test
    void lossGoesDownAndProgressIsReported() {
        UpliftConfig cfg = UpliftConfig.parse(TINY, "tiny.yaml");
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(5);
            Uplift model = new Uplift(m, cfg);
            List<UpliftTrainer.Progress> seen = new ArrayList<>();
            UpliftTrainer.Result r = trainer(m, model, 30, null).train(seen::add, () -> false);
            assertEquals(30, r.step());
            assertEquals(30, seen.size());
            assertTrue(seen.get(29).imagesPerSecond() > 0);
            double first = r.losses().subList(0, 4).stream().mapToDouble(d -> d).average().orElseThrow();
            double last = r.losses().subList(26, 30).stream().mapToDouble(d -> d).average().orElseThrow();
            assertTrue(last < 0.8 * first, "loss " + first + " -> " + last);
            assertFalse(model.isTraining(), "back in eval mode");
        }
    }

    @Test
    void resumedRunContinuesExactlyAndCancellationCheckpoints() {
        UpliftConfig cfg = UpliftConfig.parse(TINY, "tiny.yaml");
        Path straight = dir.resolve("straight");
        Path interrupted = dir.resolve("interrupted");
        List<Double> reference;
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(9);
            reference = trainer(m, new Uplift(m, cfg), 5, straight).train(null, () -> false).losses();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(9);
            AtomicInteger calls = new AtomicInteger();
            UpliftTrainer.Result part = trainer(m, new Uplift(m, cfg), 5, interrupted).train(null, () -> calls.incrementAndGet() > 2);
            assertTrue(part.cancelled());
            assertEquals(2, part.step());
            assertEquals(2, Checkpoint.info(interrupted).step());
        }
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(1234); // a fresh model: everything must come from the checkpoint
            UpliftTrainer.Result rest = trainer(m, new Uplift(m, cfg), 5, interrupted).train(null, () -> false);
            assertEquals(5, rest.step());
            assertEquals(reference.size(), rest.losses().size());
            for (int i = 0; i < reference.size(); i++) {
                assertEquals(reference.get(i), rest.losses().get(i), 1e-6 * Math.abs(reference.get(i)), "loss at step " + (i + 1));
            }
            Uplift a = Uplift.load(m, cfg, straight.resolve(Checkpoint.MODEL));
            Uplift b = Uplift.load(m, cfg, interrupted.resolve(Checkpoint.MODEL));
            a.stateDict().forEach((k, v) -> assertTrue(Fixtures.maxAbsDiff(v.toType(ai.djl.ndarray.types.DataType.FLOAT32, false),
                    b.stateDict().get(k).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)) < 1e-6f, k));
        }
    }
}
