package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.nn.Activations;

/** diffusers' {@code TimestepEmbedding}: linear_1, SiLU, linear_2, [N, in] to [N, dim]. */
public final class TimestepEmbedding extends TwoLayerMlp {
    public TimestepEmbedding(NDManager manager, int in, int dim) {
        super(manager, in, dim);
    }

    @Override
    NDArray activation(NDArray x) {
        return Activations.silu(x);
    }
}
