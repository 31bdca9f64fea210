package dev.loupe.diffusion.cache;

/**
 * The shapes of a PixArt-style diffusion transformer that decide its cost, independent of its weights (the model's
 * configuration provides them, so the cost model needs no model).
 *
 * @param captionChannels width of the caption embeddings before the caption projection; 0 when there is none
 * @param sizeConditioned whether the timestep embedding also embeds resolution and aspect ratio (PixArt-α 1024)
 */
public record DitDimensions(
        int blocks,
        int heads,
        int headDim,
        int ffInner,
        int inChannels,
        int outChannels,
        int patchSize,
        int sampleSize,
        int crossAttentionDim,
        int captionChannels,
        boolean sizeConditioned) {

    /** Width of the sinusoidal timestep (and size) features fed to the embedding MLPs. */
    public static final int TIMESTEP_CHANNELS = 256;

    public DitDimensions {
        if (blocks <= 0 || heads <= 0 || headDim <= 0 || ffInner <= 0 || inChannels <= 0 || outChannels <= 0
                || patchSize <= 0 || sampleSize <= 0 || crossAttentionDim <= 0 || captionChannels < 0) {
            throw new IllegalArgumentException("every dimension must be positive");
        }
    }

    public int hidden() {
        return heads * headDim;
    }
}
