package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.Scalars;
import dev.loupe.tensor.nn.Linear;

/**
 * Multi-head attention as diffusers' {@code Attention} with its default processor: {@code to_q}, {@code to_k},
 * {@code to_v}, softmax(q k^T / sqrt(head_dim) + bias) v over the heads, then {@code to_out.0}. Plain batched
 * matrix products and a softmax, so that every sample of a batch (both halves of classifier-free guidance) runs in
 * one call.
 */
public final class Attention extends Module {
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final int heads;
    private final int headDim;
    private final float scale;

    public Attention(NDManager manager, int queryDim, int contextDim, int heads, int headDim, boolean bias) {
        super(manager);
        this.heads = heads;
        this.headDim = headDim;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        int inner = heads * headDim;
        toQ = child("to_q", new Linear(manager, queryDim, inner, bias));
        toK = child("to_k", new Linear(manager, contextDim, inner, bias));
        toV = child("to_v", new Linear(manager, contextDim, inner, bias));
        toOut = child("to_out.0", new Linear(manager, inner, queryDim, true));
    }

    /**
     * @param x       [B, N, queryDim]
     * @param context [B, L, contextDim], or null for self-attention
     * @param bias    additive score bias broadcastable to [B, heads, N, L] (PixArt: [B, 1, 1, L], -10000 on dropped
     *                caption tokens), or null
     * @return [B, N, queryDim]
     */
    public NDArray forward(NDArray x, NDArray context, NDArray bias) {
        NDArray source = context == null ? x : context;
        long b = x.getShape().get(0);
        // scaling q is cheaper than scaling the scores; the factor is a libtorch tensor because training keeps it
        NDArray q = splitHeads(toQ.forward(x).mul(Scalars.of(x.getManager(), scale)), b); // [B, H, N, d]
        NDArray k = splitHeads(toK.forward(source), b); // [B, H, L, d]
        NDArray v = splitHeads(toV.forward(source), b); // [B, H, L, d]
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)); // [B, H, N, L]
        if (bias != null) scores = scores.add(bias);
        NDArray mixed = scores.softmax(-1).matMul(v); // [B, H, N, d]
        return toOut.forward(mixed.transpose(0, 2, 1, 3).reshape(b, -1, (long) heads * headDim)); // [B, N, H*d]
    }

    private NDArray splitHeads(NDArray t, long b) {
        return t.reshape(b, -1, heads, headDim).transpose(0, 2, 1, 3);
    }
}
