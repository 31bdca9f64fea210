package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.Activations;
import dev.loupe.tensor.nn.Linear;

/**
 * adaLN-single (PixArt-α, section 2.3; {@code adaln_single}): one timestep embedding for the whole network, mapped
 * once by SiLU and a linear layer to 6 x D modulation values that every block adds to its own
 * {@code scale_shift_table}. The embedding itself also drives the final layer.
 */
public final class AdaLayerNormSingle extends Module {
    private final CombinedTimestepSizeEmbeddings emb;
    private final Linear linear;

    public AdaLayerNormSingle(NDManager manager, int dim, boolean sizeConditioned) {
        super(manager);
        emb = child("emb", new CombinedTimestepSizeEmbeddings(manager, dim, sizeConditioned));
        linear = child("linear", new Linear(manager, dim, 6L * dim));
    }

    /** @param modulation [B, 6D] for the blocks; @param embedded [B, D] for the final layer */
    public record Output(NDArray modulation, NDArray embedded) {}

    public Output forward(NDArray timesteps, SizeConditions size) {
        NDArray embedded = emb.forward(timesteps, size);
        return new Output(linear.forward(Activations.silu(embedded)), embedded);
    }
}
