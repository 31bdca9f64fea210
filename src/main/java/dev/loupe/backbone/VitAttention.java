package dev.loupe.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.Linear;

/**
 * Multi-head self-attention as timm's ViT has it ({@code attn.qkv}, {@code attn.proj}): one projection gives queries,
 * keys and values for all heads; softmax(q k^T / sqrt(d)) v per head; heads concatenated and projected.
 */
public final class VitAttention extends Module {
    private final Linear qkv;
    private final Linear proj;
    private final int heads;
    private final int headDim;
    private final float scale;

    public VitAttention(NDManager manager, int width, int heads) {
        super(manager);
        this.heads = heads;
        this.headDim = width / heads;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        qkv = child("qkv", new Linear(manager, width, 3L * width, true));
        proj = child("proj", new Linear(manager, width, width, true));
    }

    /** {@code [B,N,D]} to {@code [B,N,D]}. */
    public NDArray forward(NDArray x) {
        long b = x.getShape().get(0);
        long n = x.getShape().get(1);
        NDArray parts = qkv.forward(x).reshape(b, n, 3, heads, headDim).transpose(2, 0, 3, 1, 4); // [3, B, H, N, d]
        NDArray q = parts.get(0).mul(scale); // [B, H, N, d]; scaling q is cheaper than scaling the scores
        NDArray k = parts.get(1);
        NDArray v = parts.get(2);
        NDArray weights = q.matMul(k.transpose(0, 1, 3, 2)).softmax(-1); // [B, H, N, N]
        NDArray mixed = weights.matMul(v); // [B, H, N, d]
        return proj.forward(mixed.transpose(0, 2, 1, 3).reshape(b, n, (long) heads * headDim)); // [B, N, D]
    }
}
