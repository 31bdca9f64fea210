package dev.loupe.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.Activations;
import dev.loupe.tensor.nn.Conv2d;
import java.util.ArrayList;
import java.util.List;

/**
 * Image to tokens ({@code patch_embed}): either a patch x patch convolution with stride patch, or a convolutional
 * stem ({@code stem.N}: stride-2 3x3 convolutions with GELU, then {@code proj}, a last stride-2 3x3 convolution to
 * the width); then {@code mix.N}, residual 3x3 convolutions over the token grid (x + conv(gelu(x))); flattened
 * row-major, plus {@link SinCosPositions} of each patch's place in the image. The stem's overlapping windows let each
 * token see the edges around its patch; each token convolution widens that view by a patch on every side, so that
 * a token sees corners and curvature of a whole shape before attention has to learn to gather them.
 */
public final class PatchEmbedding extends Module {
    private final List<Conv2d> stem = new ArrayList<>();
    private final Conv2d proj;
    private final List<Conv2d> mix = new ArrayList<>();
    private final int patch;
    private final int width;

    public PatchEmbedding(NDManager manager, int patch, int width, List<Integer> stemChannels, int tokenConvs) {
        super(manager);
        this.patch = patch;
        this.width = width;
        int in = 3;
        for (int i = 0; i < stemChannels.size(); i++) {
            stem.add(child("stem." + i, new Conv2d(manager, in, stemChannels.get(i), 3, 2, 1, 1, true)));
            in = stemChannels.get(i);
        }
        proj = stem.isEmpty() ? child("proj", new Conv2d(manager, 3, width, patch, patch, 0, 1, true))
                : child("proj", new Conv2d(manager, in, width, 3, 2, 1, 1, true));
        for (int i = 0; i < tokenConvs; i++) mix.add(child("mix." + i, new Conv2d(manager, width, width, 3, 1, 1, 1, true)));
    }

    /** {@code [B,3,H,W]} normalised image to {@code [B,h*w,D]} tokens with positions. */
    public NDArray forward(NDArray image) {
        Shape s = image.getShape();
        int h = (int) (s.get(2) / patch);
        int w = (int) (s.get(3) / patch);
        NDArray x = image;
        for (Conv2d conv : stem) x = Activations.gelu(conv.forward(x)); // [B, c_i, H/2^(i+1), W/2^(i+1)]
        x = proj.forward(x); // [B, D, h, w]
        for (Conv2d conv : mix) x = x.add(conv.forward(Activations.gelu(x)));
        x = x.reshape(s.get(0), width, (long) h * w).transpose(0, 2, 1); // [B, h*w, D]
        try (NDArray positions = x.getManager().create(SinCosPositions.table(width, h, w), new Shape(1, (long) h * w, width))) {
            return x.add(positions);
        }
    }
}
