package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.Linear;

/** diffusers' recurring {@code linear_1}, activation, {@code linear_2} shape; each named part picks its activation. */
abstract class TwoLayerMlp extends Module {
    private final Linear linear1;
    private final Linear linear2;

    TwoLayerMlp(NDManager manager, int in, int dim) {
        super(manager);
        linear1 = child("linear_1", new Linear(manager, in, dim));
        linear2 = child("linear_2", new Linear(manager, dim, dim));
    }

    abstract NDArray activation(NDArray x);

    /** [..., in] to [..., dim]. */
    public NDArray forward(NDArray x) {
        return linear2.forward(activation(linear1.forward(x)));
    }
}
