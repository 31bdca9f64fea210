package dev.loupe.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.LayerNorm;

/** A pre-norm transformer block: x + attn(norm1(x)), then x + mlp(norm2(x)). */
public final class VitBlock extends Module {
    private final LayerNorm norm1;
    private final VitAttention attn;
    private final LayerNorm norm2;
    private final VitMlp mlp;

    public VitBlock(NDManager manager, int width, int heads, int mlpHidden) {
        super(manager);
        norm1 = child("norm1", new LayerNorm(manager, width, 1e-6f, true));
        attn = child("attn", new VitAttention(manager, width, heads));
        norm2 = child("norm2", new LayerNorm(manager, width, 1e-6f, true));
        mlp = child("mlp", new VitMlp(manager, width, mlpHidden));
    }

    /** {@code [B,N,D]} to {@code [B,N,D]}. */
    public NDArray forward(NDArray x) {
        NDArray y = x.add(attn.forward(norm1.forward(x)));
        return y.add(mlp.forward(norm2.forward(y)));
    }
}
