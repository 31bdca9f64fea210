package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.nn.Activations;

/**
 * Caption embeddings into the transformer's width ({@code caption_projection}, diffusers'
 * {@code PixArtAlphaTextProjection}): linear_1, GELU-tanh, linear_2, [B, L, captionChannels] to [B, L, D].
 */
public final class CaptionProjection extends TwoLayerMlp {
    public CaptionProjection(NDManager manager, int captionChannels, int dim) {
        super(manager, captionChannels, dim);
    }

    @Override
    NDArray activation(NDArray x) {
        return Activations.geluTanh(x);
    }
}
