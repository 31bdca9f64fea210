package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.Activations;
import dev.loupe.tensor.nn.Linear;

/** diffusers' {@code TimestepEmbedding}: linear_1, SiLU, linear_2. */
public final class TimestepEmbedding extends Module {
    private final Linear linear1;
    private final Linear linear2;

    public TimestepEmbedding(NDManager manager, int in, int dim) {
        super(manager);
        linear1 = child("linear_1", new Linear(manager, in, dim));
        linear2 = child("linear_2", new Linear(manager, dim, dim));
    }

    /** [N, in] to [N, dim]. */
    public NDArray forward(NDArray x) {
        return linear2.forward(Activations.silu(linear1.forward(x)));
    }
}
