package dev.loupe.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Module;

/**
 * adaLN-single's conditioning vector ({@code adaln_single.emb}, diffusers'
 * {@code PixArtAlphaCombinedTimestepSizeEmbeddings}): the embedded timestep, plus, for PixArt-α 1024, the embedded
 * resolution (height, width) and aspect ratio, each a third of the width, concatenated.
 */
public final class CombinedTimestepSizeEmbeddings extends Module {
    private final SinusoidalTimesteps sinusoid = SinusoidalTimesteps.pixart();
    private final TimestepEmbedding timestepEmbedder;
    private final TimestepEmbedding resolutionEmbedder;
    private final TimestepEmbedding aspectRatioEmbedder;

    public CombinedTimestepSizeEmbeddings(NDManager manager, int dim, boolean sizeConditioned) {
        super(manager);
        timestepEmbedder = child("timestep_embedder", new TimestepEmbedding(manager, sinusoid.channels(), dim));
        if (sizeConditioned) {
            resolutionEmbedder = child("resolution_embedder", new TimestepEmbedding(manager, sinusoid.channels(), dim / 3));
            aspectRatioEmbedder = child("aspect_ratio_embedder", new TimestepEmbedding(manager, sinusoid.channels(), dim / 3));
        } else {
            resolutionEmbedder = null;
            aspectRatioEmbedder = null;
        }
    }

    public boolean sizeConditioned() {
        return resolutionEmbedder != null;
    }

    /** [B] timesteps (and [B, 2] resolution, [B, 1] aspect ratio when size-conditioned) to [B, dim]. */
    public NDArray forward(NDArray timesteps, SizeConditions size) {
        NDArray embedded = timestepEmbedder.forward(sinusoid.forward(timesteps));
        if (resolutionEmbedder == null) return embedded;
        long b = timesteps.getShape().get(0);
        NDArray resolution = resolutionEmbedder.forward(sinusoid.forward(size.resolution().flatten())).reshape(b, -1);
        NDArray aspect = aspectRatioEmbedder.forward(sinusoid.forward(size.aspectRatio().flatten())).reshape(b, -1);
        return embedded.add(NDArrays.concat(new NDList(resolution, aspect), 1));
    }
}
