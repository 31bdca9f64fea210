package dev.loupe.upsample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Resize;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every kind learns under the shared objective, on the stand-in backbone of {@link TrainingFixtures}. */
class UpsamplerTrainerTest {
    @ParameterizedTest
    @EnumSource(UpsamplerKind.class)
    void everyKindLearnsToReconstruct(UpsamplerKind kind) {
        Engine.getInstance().setRandomSeed(7);
        try (NDManager m = NDManager.newBaseManager()) {
            TrainableUpsampler model = kind.create(m, 16, 8);
            UpsamplerTrainer.Backbone backbone = TrainingFixtures.patchEmbedding(m);
            UpsamplerTrainer.Images images = (mm, step, bs, size) -> TrainingFixtures.batch(mm, step, size, bs);
            UpsamplerTrainer.Options options = new UpsamplerTrainer.Options(64, 2, 2, 1e-3f, 16, 0, null, 0);
            UpsamplerTrainer.Result r = new UpsamplerTrainer(model, backbone, images, options).train(null, () -> false);
            assertEquals(16, r.step());
            double first = mean(r.losses().subList(0, 4));
            double last = mean(r.losses().subList(12, 16));
            System.out.printf("%s: %.4f -> %.4f, bilinear %.4f%n", kind, first, last, bilinearLoss(m, backbone));
            assertTrue(last < first, kind + ": loss " + first + " -> " + last);
            assertTrue(!model.module().isTraining());
        }
    }

    static double mean(List<Double> v) {
        return v.stream().mapToDouble(d -> d).average().orElseThrow();
    }

    /** The same objective for bilinear interpolation, on the 4 batches the data cycles through. */
    static double bilinearLoss(NDManager m, UpsamplerTrainer.Backbone backbone) {
        double sum = 0;
        for (int step = 0; step < 4; step++) {
            try (NDManager s = m.newSubManager()) {
                NDArray full = TrainingFixtures.batch(s, step, 64, 2);
                NDArray[] t = new NDArray[3];
                for (int l = 0; l <= 2; l++) t[l] = backbone.features(l == 0 ? full : Resize.antialiased(full, 64 >> l, 64 >> l, Resize.Filter.BILINEAR));
                for (int d = 1; d <= 2; d++) {
                    for (int k = 1; k <= d; k++) {
                        NDArray target = t[d - k];
                        NDArray up = Resize.bilinear(t[d], (int) target.getShape().get(2), (int) target.getShape().get(3), false);
                        sum += up.sub(target).square().mean().getFloat();
                    }
                }
            }
        }
        return sum / 4;
    }
}
