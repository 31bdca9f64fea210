package dev.loupe.tensor.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.LoupeException;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.Parameter;
import dev.loupe.tensor.TorchOps;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamTest {
    static final class One extends Module {
        final Parameter p;

        One(NDManager m, NDArray init) {
            super(m);
            p = parameter("p", init);
        }
    }

    /** Runs three steps with PyTorch's recorded gradients, optionally saving and reloading the state midway. */
    private static NDArray run(NDManager m, Map<String, NDArray> ref, boolean reloadAfterOne) {
        One model = new One(m, ref.get("adam.p0").duplicate());
        model.train(true);
        Adam adam = new Adam(m, 1e-2f);
        for (int i = 1; i <= 3; i++) {
            NDArray grad = ref.get("adam.g" + i);
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                gc.backward(model.p.array().mul(grad).sum()); // d/dp = grad
            }
            adam.step(model.trainableParameters());
            if (reloadAfterOne && i == 1) {
                Map<String, NDArray> state = adam.stateDict();
                Adam fresh = new Adam(m, 1e-2f);
                fresh.load(state, model.trainableParameters(), "state");
                assertEquals(1, fresh.stepCount());
                adam = fresh;
            }
        }
        return model.p.array();
    }

    @Test
    void threeStepsMatchTorchOptimAdamAndStateReloadsExactly() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> ref = TorchOps.read(m);
            float d = TorchOps.maxAbsDiff(run(m, ref, false), ref.get("adam.p3"));
            assertTrue(d < 1e-5f, "max abs diff " + d);
            float r = TorchOps.maxAbsDiff(run(m, ref, true), ref.get("adam.p3"));
            assertTrue(r < 1e-5f, "after reload: " + r);
        }
    }

    @Test
    void stateForAnUnknownParameterIsRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            One model = new One(m, m.ones(new ai.djl.ndarray.types.Shape(2)));
            Adam adam = new Adam(m, 1e-3f);
            Map<String, NDArray> state = Map.of("step", m.create(new long[] {3}), "exp_avg.q", m.ones(new ai.djl.ndarray.types.Shape(2)));
            LoupeException e = assertThrows(LoupeException.class, () -> adam.load(state, model.trainableParameters(), "opt.safetensors"));
            assertTrue(e.getMessage().contains("'q'"), e.getMessage());
        }
    }
}
