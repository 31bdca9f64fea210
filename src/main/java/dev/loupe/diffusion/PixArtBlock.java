package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.diffusion.cache.CacheState;
import dev.loupe.diffusion.cache.Component;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.Parameter;
import dev.loupe.tensor.nn.LayerNorm;

/**
 * One PixArt block ({@code transformer_blocks.N}, diffusers' {@code BasicTransformerBlock} with
 * {@code norm_type="ada_norm_single"}):
 * <pre>
 *   shift1, scale1, gate1, shift2, scale2, gate2 = scale_shift_table + modulation
 *   x += gate1 * attn1(norm1(x) * (1 + scale1) + shift1)
 *   x += attn2(x, caption)                       (no norm, no gate: as PixArt-α)
 *   x += gate2 * ff(norm2(x) * (1 + scale2) + shift2)
 * </pre>
 * With a {@link CacheState}, each of attn1, attn2 and ff may return its cached raw output instead of running;
 * everything around them runs every step.
 */
public final class PixArtBlock extends Module {
    private final LayerNorm norm1;
    private final Attention attn1;
    private final LayerNorm norm2;
    private final Attention attn2;
    private final FeedForward ff;
    private final Parameter scaleShiftTable;
    private final int dim;

    public PixArtBlock(NDManager manager, PixArtConfig config) {
        super(manager);
        dim = config.innerDim();
        int heads = config.numAttentionHeads();
        int headDim = config.attentionHeadDim();
        float eps = (float) config.normEps();
        boolean affine = config.normElementwiseAffine();
        norm1 = child("norm1", new LayerNorm(manager, dim, eps, affine));
        attn1 = child("attn1", new Attention(manager, dim, dim, heads, headDim, config.attentionBias()));
        norm2 = child("norm2", new LayerNorm(manager, dim, eps, affine));
        attn2 = child("attn2", new Attention(manager, dim, config.crossAttentionDim(), heads, headDim, config.attentionBias()));
        ff = child("ff", new FeedForward(manager, dim, config.ffInnerDim(), config.activationFn().equals("gelu-approximate")));
        scaleShiftTable = parameter("scale_shift_table",
                manager.randomNormal(new Shape(6, dim)).div((float) Math.sqrt(dim)));
    }

    /**
     * @param x           [B, N, D] tokens
     * @param caption     [B, L, D] projected caption
     * @param captionBias [B, 1, 1, L] additive attention bias (0 keep, -10000 drop), or null
     * @param modulation  [B, 6D] from adaLN-single
     * @param cache       the run's cache, or null to compute everything
     * @param index       this block's index in the schedule
     * @return [B, N, D]
     */
    public NDArray forward(NDArray x, NDArray caption, NDArray captionBias, NDArray modulation, CacheState cache, int index) {
        long b = x.getShape().get(0);
        // [B, 6D] -> [B, 6, D] + table -> six [B, 1, D]
        NDList mod = modulation.reshape(b, 6, dim).add(scaleShiftTable.array()).split(6, 1);
        NDArray shiftMsa = mod.get(0);
        NDArray scaleMsa = mod.get(1);
        NDArray gateMsa = mod.get(2);
        NDArray shiftMlp = mod.get(3);
        NDArray scaleMlp = mod.get(4);
        NDArray gateMlp = mod.get(5);

        NDArray h1 = norm1.forward(x).mul(scaleMsa.add(1f)).add(shiftMsa);
        NDArray a1 = run(cache, index, Component.ATTN1, () -> attn1.forward(h1, null, null));
        x = gateMsa.mul(a1).add(x);

        NDArray input2 = x;
        NDArray a2 = run(cache, index, Component.ATTN2, () -> attn2.forward(input2, caption, captionBias));
        x = x.add(a2);

        NDArray h3 = norm2.forward(x).mul(scaleMlp.add(1f)).add(shiftMlp);
        NDArray f = run(cache, index, Component.FF, () -> ff.forward(h3));
        return gateMlp.mul(f).add(x);
    }

    private static NDArray run(CacheState cache, int index, Component c, java.util.function.Supplier<NDArray> compute) {
        return cache == null ? compute.get() : cache.component(index, c, compute);
    }

    public Attention attn1() {
        return attn1;
    }

    public Attention attn2() {
        return attn2;
    }

    public FeedForward ff() {
        return ff;
    }
}
