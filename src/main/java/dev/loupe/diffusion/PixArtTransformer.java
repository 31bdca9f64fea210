package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.loupe.LoupeException;
import dev.loupe.diffusion.cache.CacheState;
import dev.loupe.tensor.Checkpoints;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.Parameter;
import dev.loupe.tensor.nn.LayerNorm;
import dev.loupe.tensor.nn.Linear;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The PixArt-α diffusion transformer (diffusers' {@code PixArtTransformer2DModel}, same keys): latents are cut
 * into patch tokens with sin-cos positions ({@code pos_embed}), the timestep becomes one adaLN-single modulation
 * ({@code adaln_single}), the caption embeddings are projected to the model width ({@code caption_projection}),
 * {@code transformer_blocks.N} refine the tokens with self-attention, cross-attention to the caption and an MLP,
 * and a final modulated layer ({@code norm_out}, {@code scale_shift_table}, {@code proj_out}) maps each token back
 * to a patch of the output (for PixArt-α, noise and variance: twice the input channels).
 *
 * <p>A forward pass is one denoising step for a whole batch; pass a {@link CacheState} to run it under an ECAD
 * caching schedule. Intermediate results live in a scope of the latents' manager that closes before the call
 * returns; the output belongs to the latents' manager.
 */
public final class PixArtTransformer extends Module {
    private final PixArtConfig config;
    private final PatchEmbed posEmbed;
    private final List<PixArtBlock> blocks;
    private final LayerNorm normOut;
    private final Parameter scaleShiftTable;
    private final Linear projOut;
    private final AdaLayerNormSingle adalnSingle;
    private final CaptionProjection captionProjection;

    /** A model with PyTorch's default random initialisation (load weights, or train it). */
    public PixArtTransformer(NDManager manager, PixArtConfig config) {
        super(manager);
        this.config = config;
        int dim = config.innerDim();
        int p = config.patchSize();
        posEmbed = child("pos_embed", new PatchEmbed(manager, config.inChannels(), dim, p, config.sampleSize(),
                config.effectiveInterpolationScale()));
        List<PixArtBlock> list = new ArrayList<>();
        for (int i = 0; i < config.numLayers(); i++) {
            list.add(child("transformer_blocks." + i, new PixArtBlock(manager, config)));
        }
        blocks = Collections.unmodifiableList(list);
        normOut = child("norm_out", new LayerNorm(manager, dim, 1e-6f, false));
        scaleShiftTable = parameter("scale_shift_table", manager.randomNormal(new Shape(2, dim)).div((float) Math.sqrt(dim)));
        projOut = child("proj_out", new Linear(manager, dim, (long) p * p * config.effectiveOutChannels()));
        adalnSingle = child("adaln_single", new AdaLayerNormSingle(manager, dim, config.sizeConditioned()));
        captionProjection = config.captionChannels() == null ? null
                : child("caption_projection", new CaptionProjection(manager, config.captionChannels(), dim));
    }

    /**
     * Loads diffusers-format weights: a {@code .safetensors} file, a sharded checkpoint's
     * {@code *.safetensors.index.json}, or a folder holding either. Half-precision tensors are widened to float32.
     *
     * @throws dev.loupe.tensor.WeightMismatchException listing every missing, unexpected or mis-shaped key
     */
    public void load(Path weights) {
        try (NDManager scratch = manager.newSubManager()) {
            load(Checkpoints.read(weights, scratch), weights.toString());
        }
    }

    /** Reads a config and weights and builds the model in {@code manager}. */
    public static PixArtTransformer load(NDManager manager, PixArtConfig config, Path weights) {
        PixArtTransformer model = new PixArtTransformer(manager, config);
        model.load(weights);
        return model;
    }

    public PixArtConfig config() {
        return config;
    }

    public List<PixArtBlock> blocks() {
        return blocks;
    }

    /** One step, nothing cached. See {@link #forward(NDArray, NDArray, NDArray, NDArray, SizeConditions, CacheState)}. */
    public NDArray forward(NDArray latents, NDArray timesteps, NDArray captions, NDArray captionMask) {
        return forward(latents, timesteps, captions, captionMask, null, null);
    }

    /** One step under a cache (or none). See {@link #forward(NDArray, NDArray, NDArray, NDArray, SizeConditions, CacheState)}. */
    public NDArray forward(NDArray latents, NDArray timesteps, NDArray captions, NDArray captionMask, CacheState cache) {
        return forward(latents, timesteps, captions, captionMask, null, cache);
    }

    /**
     * One denoising step for a batch.
     *
     * @param latents     [B, in, H, W] (H, W multiples of the patch; the trained size is sample_size)
     * @param timesteps   [B], or one value for the whole batch
     * @param captions    [B, L, caption_channels] caption embeddings (before the projection)
     * @param captionMask [B, L], 1 keep and 0 drop, or null to attend to every token
     * @param size        resolution and aspect ratio for size-conditioned configurations, else null
     * @param cache       the run's cache state (advanced by one step), or null to compute everything
     * @return [B, out, H, W], in the latents' manager
     */
    public NDArray forward(NDArray latents, NDArray timesteps, NDArray captions, NDArray captionMask,
            SizeConditions size, CacheState cache) {
        return run(latents, timesteps, captions, captionMask, size, cache, -1).output();
    }

    /** A step's output and the tokens after one of its blocks. */
    public record Tapped(NDArray output, NDArray tokens) {}

    /**
     * One uncached step that also returns the hidden tokens {@code [B, h*w, D]} after the first {@code blocks} blocks
     * (row-major over the patch grid), for training losses on the transformer's inner representation.
     */
    public Tapped forwardTapped(NDArray latents, NDArray timesteps, NDArray captions, NDArray captionMask, int blocks) {
        if (blocks < 1 || blocks > this.blocks.size()) {
            throw new IllegalArgumentException("tokens can be taken after block 1 to " + this.blocks.size() + ", not " + blocks);
        }
        return run(latents, timesteps, captions, captionMask, null, null, blocks);
    }

    private Tapped run(NDArray latents, NDArray timesteps, NDArray captions, NDArray captionMask, SizeConditions size,
            CacheState cache, int tapAfter) {
        Shape s = latents.getShape();
        checkInputs(s, timesteps, captions, captionMask, size, cache);
        long b = s.get(0);
        int p = config.patchSize();
        int h = (int) s.get(2) / p;
        int w = (int) s.get(3) / p;
        NDManager outer = latents.getManager();
        try (NDManager scope = outer.newSubManager()) {
            NDArray[] inputs = {latents, timesteps, captions, captionMask,
                size == null ? null : size.resolution(), size == null ? null : size.aspectRatio()};
            for (NDArray input : inputs) {
                // the same array may come twice; attaching it twice would return it to the scope, not its owner
                if (input != null && input.getManager() != scope) input.tempAttach(scope);
            }
            NDArray t = timesteps.getShape().size() == b ? timesteps.reshape(b) : timesteps.reshape(1).repeat(0, b);
            NDArray x = posEmbed.forward(latents); // [B, h*w, D]
            AdaLayerNormSingle.Output ada = adalnSingle.forward(t, size);
            NDArray caption = captionProjection == null ? captions : captionProjection.forward(captions); // [B, L, D]
            NDArray bias = captionMask == null ? null
                    : captionMask.toType(DataType.FLOAT32, false).neg().add(1f).mul(-10000f)
                            .reshape(b, 1, 1, captionMask.getShape().get(1)); // [B, 1, 1, L]
            NDArray tapped = null;
            for (int i = 0; i < blocks.size(); i++) {
                x = blocks.get(i).forward(x, caption, bias, ada.modulation(), cache, i);
                if (i + 1 == tapAfter) tapped = x;
            }
            NDArray out = unpatchify(finalLayer(x, ada.embedded()), b, h, w);
            out.attach(outer);
            if (tapped != null) tapped.attach(outer);
            if (cache != null) cache.advance();
            return new Tapped(out, tapped);
        }
    }

    /** The final modulated layer: norm_out, (shift, scale) = scale_shift_table + embedded timestep, proj_out. */
    private NDArray finalLayer(NDArray x, NDArray embedded) {
        NDList shiftScale = embedded.expandDims(1).add(scaleShiftTable.array()).split(2, 1); // [B, 2, D] -> two [B, 1, D]
        NDArray modulated = normOut.forward(x).mul(shiftScale.get(1).add(1f)).add(shiftScale.get(0));
        return projOut.forward(modulated); // [B, h*w, p*p*out]
    }

    /** [B, h*w, p*p*C] tokens to [B, C, h*p, w*p]. */
    private NDArray unpatchify(NDArray tokens, long b, int h, int w) {
        int p = config.patchSize();
        int c = config.effectiveOutChannels();
        return tokens.reshape(b, h, w, p, p, c) // [B, h, w, p, q, C]
                .transpose(0, 5, 1, 3, 2, 4) // [B, C, h, p, w, q]
                .reshape(b, c, (long) h * p, (long) w * p);
    }

    private void checkInputs(Shape s, NDArray timesteps, NDArray captions, NDArray captionMask, SizeConditions size,
            CacheState cache) {
        int p = config.patchSize();
        if (s.dimension() != 4 || s.get(1) != config.inChannels() || s.get(2) % p != 0 || s.get(3) % p != 0) {
            throw new LoupeException("latents of shape " + s + " do not fit the model: expected [B, "
                    + config.inChannels() + ", H, W] with H and W multiples of " + p);
        }
        long b = s.get(0);
        long n = timesteps.getShape().size();
        if (n != b && n != 1) {
            throw new LoupeException(n + " timesteps for a batch of " + b + " (give one per sample, or one for all)");
        }
        long width = config.captionChannels() == null ? config.crossAttentionDim() : config.captionChannels();
        Shape cs = captions.getShape();
        if (cs.dimension() != 3 || cs.get(0) != b || cs.get(2) != width) {
            throw new LoupeException("caption embeddings of shape " + cs + " do not fit the model: expected [" + b
                    + ", L, " + width + "]");
        }
        if (captionMask != null && !captionMask.getShape().equals(new Shape(b, cs.get(1)))) {
            throw new LoupeException("a caption mask of shape " + captionMask.getShape() + " does not fit captions of shape "
                    + cs + ": expected [" + b + ", " + cs.get(1) + "]");
        }
        if (config.sizeConditioned() && size == null) {
            throw new LoupeException("this model is size-conditioned (PixArt-α 1024): give the resolution and aspect ratio");
        }
        if (cache != null && cache.schedule().blocks() != blocks.size()) {
            throw new LoupeException("a cache schedule for " + cache.schedule().blocks() + " blocks does not fit a model of "
                    + blocks.size() + " blocks");
        }
    }
}
