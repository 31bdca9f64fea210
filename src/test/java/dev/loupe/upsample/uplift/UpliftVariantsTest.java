package dev.loupe.upsample.uplift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Architecture options the released checkpoints do not use (down blocks, strided blocks, no encoder sharing, no
 * attender, identity groups): the fast inference form computes the same function as the differentiable one.
 */
class UpliftVariantsTest {
    private static final String BASE = """
            backbone: {channel: 12, patch: 8}
            uplift:
              up_factor: 2
              attender: ATTENDER
              enc_share: SHARE
              encoder:
                down_steps: 3
                block_0: {block: SingleConv, norm: batch, count: 1, hc: [8]}
                down_1: {down_op: conv, factor: 0.5, residual: bilinear}
                block_1: {block: SingleConv, norm: layer, count: 2, hc: [8, 10]}
                down_2: {down_op: max, factor: 0.5, residual: bilinear}
                block_2: {block: SingleConv, norm: batch, count: 1, hc: [6], stride: 2}
                down_3: {down_op: none}
                block_3: {block: IdentityBlock, count: 1, hc: [6]}
              decoder:
                up_steps: 2
                ncat_c: 0
                enc_resample: nearest
                block_0: {block: DoubleConv, norm: batch, count: 1, hc: [16], one_by: false}
                up_1: {up_op: tconv, factor: 2, residual: bilinear}
                block_1: {block: SingleConv, norm: batch, count: 1, hc: [8]}
                up_2: {up_op: tconv, factor: 2, residual: none}
                block_2: {block: DoubleConv, norm: batch, count: 1, hc: [12], residual: false}
            """;

    @ParameterizedTest
    @ValueSource(strings = {"17 true", "25 false", "-1 true", "5 false"})
    void inferenceFormEqualsTheDifferentiableForm(String variant) {
        String[] v = variant.split(" ");
        UpliftConfig cfg = UpliftConfig.parse(BASE.replace("ATTENDER", v[0]).replace("SHARE", v[1]), variant);
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(21);
            Uplift model = new Uplift(m, cfg);
            // make eval-mode BatchNorm a real affine map, so folding is exercised
            model.namedParameters().forEach((k, p) -> {
                if (k.endsWith("running_var")) p.set(attach(m.randomUniform(0.5f, 2f, p.array().getShape()), m));
                if (k.endsWith("running_mean")) p.set(attach(m.randomNormal(p.array().getShape()), m));
            });
            NDArray image = m.randomUniform(0, 1, new Shape(2, 3, 32, 40));
            NDArray features = m.randomNormal(new Shape(2, 12, 4, 5));
            List<NDArray> slow = model.forward(image, features, 2);
            try (UpliftInference fast = model.inference()) {
                List<NDArray> quick = fast.run(image, features, 2, true);
                for (int i = 0; i < 2; i++) {
                    assertEquals(new Shape(2, 12, 4L << (2 * (i + 1)), 5L << (2 * (i + 1))), slow.get(i).getShape()); // 4x per step
                    float d = Fixtures.maxAbsDiff(slow.get(i), quick.get(i));
                    assertTrue(d < 1e-4f, variant + " step " + (i + 1) + ": " + d);
                }
            }
        }
    }

    private static NDArray attach(NDArray a, NDManager m) {
        a.attach(m);
        return a;
    }
}
