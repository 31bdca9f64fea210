package dev.loupe.upsample.uplift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The Java UPLiFT computes the reference implementation's function (fixtures made with the official code). */
class UpliftParityTest {
    private static final float TOLERANCE = 1e-4f;
    private static NDManager manager;
    private static Uplift model;
    private static Map<String, NDArray> io;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        model = Uplift.load(manager, UpliftConfig.named("dinov2-s14"), Fixtures.weights());
        io = Fixtures.readIo(manager);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @ParameterizedTest(name = "{0}: {1} steps, differentiable form")
    @CsvSource({"square, 2", "wide, 3"})
    void everyStepMatchesTheReference(String name, int iters) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray image = io.get(name + ".image");
            NDArray features = io.get(name + ".features");
            List<NDArray> steps = model.forward(image, features, iters);
            assertEquals(iters, steps.size());
            for (int i = 0; i < iters; i++) {
                NDArray expected = io.get(name + ".step" + (i + 1));
                float diff = Fixtures.maxAbsDiff(steps.get(i), expected);
                assertTrue(diff < TOLERANCE, name + " step " + (i + 1) + ": max abs diff " + diff);
            }
            steps.forEach(a -> a.attach(scope));
        }
    }

    @ParameterizedTest(name = "{0}: {1} steps, fast inference form")
    @CsvSource({"square, 2", "wide, 3"})
    void fastInferenceMatchesTheReference(String name, int iters) {
        try (NDManager scope = manager.newSubManager(); UpliftInference fast = model.inference()) {
            NDArray image = io.get(name + ".image");
            NDArray features = io.get(name + ".features").duplicate();
            features.attach(scope);
            List<NDArray> steps = fast.run(image, features, iters, true);
            for (int i = 0; i < iters; i++) {
                float diff = Fixtures.maxAbsDiff(steps.get(i), io.get(name + ".step" + (i + 1)));
                assertTrue(diff < TOLERANCE, name + " step " + (i + 1) + ": max abs diff " + diff);
            }
            NDArray last = fast.run(image, features, iters);
            float diff = Fixtures.maxAbsDiff(last, io.get(name + ".step" + iters));
            assertTrue(diff < TOLERANCE, "last step only: " + diff);
        }
    }

    @Test
    void standAloneAttenderMatchesTheReferenceInBothForms() {
        try (NDManager scope = manager.newSubManager()) {
            LocalAttender attender = new LocalAttender(scope, 64, 17);
            attender.load(Map.of("conv1.weight", io.get("attender.conv1.weight"), "conv1.bias", io.get("attender.conv1.bias")), "fixture");
            NDArray guide = io.get("attender.guide");
            NDArray value = io.get("attender.value");
            NDArray expected = io.get("attender.out");
            float slow = Fixtures.maxAbsDiff(attender.forward(guide, value), expected);
            assertTrue(slow < TOLERANCE, "differentiable form: " + slow);
            float fast = Fixtures.maxAbsDiff(attender.compile(scope).apply(guide, value), expected);
            assertTrue(fast < TOLERANCE, "kernel: " + fast);
        }
    }
}
