package dev.loupe.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.Progress;
import dev.loupe.backbone.SampleVit;
import dev.loupe.backbone.SampleVitBackbone;
import dev.loupe.backbone.SampleVitConfig;
import dev.loupe.upsample.BilinearUpsampler;
import dev.loupe.upsample.NearestUpsampler;
import dev.loupe.upsample.Upsampler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UpsamplerEvaluationTest {
    @Test
    void probeSeparatesLinearlySeparableClasses() {
        Random random = new Random(1);
        int n = 300;
        float[] x = new float[n * 2];
        float[] y = new float[n * 3];
        long[] truth = new long[n];
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            double angle = 2 * Math.PI * c / 3;
            x[2 * i] = (float) (3 * Math.cos(angle) + 0.3 * random.nextGaussian());
            x[2 * i + 1] = (float) (3 * Math.sin(angle) + 0.3 * random.nextGaussian());
            y[3 * i + c] = 1;
            truth[i] = c;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            LinearProbe probe = new LinearProbe(m, 2, 3);
            double loss = probe.fit(m.create(x, new Shape(n, 2)), m.create(y, new Shape(n, 3)), 200, 0.1f);
            assertTrue(loss < 0.1, "loss " + loss);
            // predict reads maps [B,C,H,W]: lay the points out as a 1 x 300 map
            NDArray map = m.create(x, new Shape(n, 2)).transpose().reshape(1, 2, 1, n);
            ConfusionMatrix cm = new ConfusionMatrix(3);
            cm.addAll(truth, probe.predict(map));
            assertEquals(1.0, cm.accuracy(), 0.01);
            assertEquals(1.0, cm.meanIou(), 0.02);
        }
    }

    @Test
    void aProbeFitDoesNotDependOnWhatTheEnginesGeneratorDrewBefore() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray tokens = m.randomNormal(new Shape(200, 6));
            NDArray targets = m.randomUniform(0f, 1f, new Shape(200, 4));
            targets = targets.div(targets.sum(new int[] {1}, true));
            float[][] fitted = new float[2][];
            for (int run = 0; run < 2; run++) {
                m.randomUniform(0f, 1f, new Shape(1000 * (run + 1))).close(); // another method's draws before this probe
                LinearProbe probe = new LinearProbe(m, 6, 4);
                probe.fit(tokens, targets, 40, 0.05f);
                fitted[run] = probe.weight().array().toFloatArray();
            }
            assertArrayEquals(fitted[0], fitted[1]);
        }
    }

    @Test
    void fittingLeavesNoTemporariesWithTheCallersArrays() {
        try (NDManager m = NDManager.newBaseManager(); NDManager data = m.newSubManager()) {
            NDArray tokens = data.randomNormal(new Shape(64, 4));
            NDArray targets = data.ones(new Shape(64, 3)).div(3);
            int before = ((ai.djl.ndarray.BaseNDManager) data).getManagedArrays().size();
            new LinearProbe(m, 4, 3).fit(tokens, targets, 25, 0.05f);
            // each iteration's logits, log-softmax and loss must be freed with it, not pile up until the fit's caller closes
            assertEquals(before, ((ai.djl.ndarray.BaseNDManager) data).getManagedArrays().size());
            assertTrue(tokens.getManager() == data && targets.getManager() == data, "the inputs are back with their manager");
        }
    }

    @Test
    void everyUpsamplerIsScoredOnTheSameScenes() {
        Engine.getInstance().setRandomSeed(11);
        try (NDManager m = NDManager.newBaseManager()) {
            SampleVit vit = new SampleVit(m, new SampleVitConfig(16, 16, 1, 2, 32, 9, 64, java.util.List.of()));
            Upsampler zeros = new Upsampler() {
                @Override public String name() { return "zeros"; }
                @Override public NDArray upsample(NDArray image, NDArray features, int outH, int outW) {
                    return features.getManager().zeros(new Shape(features.getShape().get(0), features.getShape().get(1), outH, outW));
                }
                @Override public long parameterCount() { return 0; }
            };
            Map<String, Upsampler> ups = new LinkedHashMap<>();
            ups.put("bilinear", new BilinearUpsampler());
            ups.put("nearest", new NearestUpsampler());
            ups.put("nearest again", new NearestUpsampler());
            ups.put("zeros", zeros);
            try (SampleVitBackbone backbone = SampleVitBackbone.wrap(vit, "tiny")) {
                Map<String, UpsamplerEvaluation.Scores> s = UpsamplerEvaluation.evaluate(backbone, ups, 64, 4, 5000, 8, Progress.NONE);
                assertEquals(ups.keySet(), s.keySet());
                assertEquals(s.get("nearest"), s.get("nearest again"));
                for (UpsamplerEvaluation.Scores v : s.values()) {
                    assertTrue(v.probeMiou() >= 0 && v.probeMiou() <= 1, v.toString());
                    assertTrue(v.denseProbeMiou() >= 0 && v.denseProbeMiou() <= 1, v.toString());
                    assertTrue(v.boundaryF() >= 0 && v.boundaryF() <= 1, v.toString());
                    assertTrue(v.cosine2x() >= -1 && v.cosine2x() <= 1, v.toString());
                }
                // zero features carry no information: the dense probe can only predict one class, with no boundaries
                assertEquals(0, s.get("zeros").boundaryF(), 1e-9);
                // predicting nothing is worse than interpolating the coarse features
                assertTrue(s.get("zeros").mse2x() > s.get("bilinear").mse2x(), s.toString());
                assertEquals(0, s.get("zeros").cosine4x(), 1e-9);
            }
        }
    }
}
