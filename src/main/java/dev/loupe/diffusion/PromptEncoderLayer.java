package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.LayerNorm;

/**
 * One pre-norm encoder layer of the {@link PromptEncoder} ({@code layers.N}): {@code x += attn(norm1(x))},
 * {@code x += ff(norm2(x))}, with padding tokens masked out of the attention's keys.
 */
final class PromptEncoderLayer extends Module {
    private final LayerNorm norm1;
    private final Attention attn;
    private final LayerNorm norm2;
    private final FeedForward ff;

    PromptEncoderLayer(NDManager manager, PromptEncoderConfig config) {
        super(manager);
        int d = config.width();
        norm1 = child("norm1", new LayerNorm(manager, d, 1e-5f, true));
        attn = child("attn", new Attention(manager, d, d, config.heads(), config.headDim(), true));
        norm2 = child("norm2", new LayerNorm(manager, d, 1e-5f, true));
        ff = child("ff", new FeedForward(manager, d, 4 * d, true));
    }

    /** [B, L, D] tokens and a [B, 1, 1, L] key bias to [B, L, D]. */
    NDArray forward(NDArray x, NDArray keyBias) {
        x = x.add(attn.forward(norm1.forward(x), null, keyBias));
        return x.add(ff.forward(norm2.forward(x)));
    }
}
