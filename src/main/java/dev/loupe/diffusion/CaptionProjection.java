package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.Activations;
import dev.loupe.tensor.nn.Linear;

/** Caption embeddings into the transformer's width ({@code caption_projection}, diffusers' {@code PixArtAlphaTextProjection}): linear_1, GELU-tanh, linear_2. */
public final class CaptionProjection extends Module {
    private final Linear linear1;
    private final Linear linear2;

    public CaptionProjection(NDManager manager, int captionChannels, int dim) {
        super(manager);
        linear1 = child("linear_1", new Linear(manager, captionChannels, dim));
        linear2 = child("linear_2", new Linear(manager, dim, dim));
    }

    /** [B, L, captionChannels] to [B, L, D]. */
    public NDArray forward(NDArray captions) {
        return linear2.forward(Activations.geluTanh(linear1.forward(captions)));
    }
}
