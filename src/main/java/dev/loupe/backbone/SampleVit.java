package dev.loupe.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.nn.LayerNorm;
import dev.loupe.tensor.nn.Linear;
import java.util.ArrayList;
import java.util.List;

/**
 * The sample backbone: a small ViT in timm's key layout ({@code patch_embed.stem.N} and {@code patch_embed.proj},
 * {@code blocks.N.norm1},
 * {@code blocks.N.attn.qkv}, {@code blocks.N.attn.proj}, {@code blocks.N.norm2}, {@code blocks.N.mlp.fc1/fc2},
 * {@code norm}) with fixed {@link SinCosPositions} and no class token. Its features are the final-norm patch tokens.
 * {@code head} is the per-patch linear classifier it was trained with (ShapesWorld classes); it is shipped so that
 * probes of upsampled features can reuse it, and plays no part in {@link #features}.
 *
 * <p>Inputs are normalised images ({@link #NORMALISATION}); {@link SampleVitBackbone} wraps the model behind the
 * {@link Backbone} contract.
 */
public final class SampleVit extends Module {
    /** The sample ViT sees ImageNet-normalised images, like DINO-style backbones (and UPLiFT's encoder). */
    public static final Backbone.Normalisation NORMALISATION = Backbone.Normalisation.IMAGENET;

    private final SampleVitConfig config;
    private final PatchEmbedding patchEmbed;
    private final List<VitBlock> blocks = new ArrayList<>();
    private final LayerNorm norm;
    private final Linear head;

    public SampleVit(NDManager manager, SampleVitConfig config) {
        super(manager);
        this.config = config;
        patchEmbed = child("patch_embed", new PatchEmbedding(manager, config.patch(), config.width(), config.stem(), config.tokenConvs()));
        for (int i = 0; i < config.depth(); i++) {
            blocks.add(child("blocks." + i, new VitBlock(manager, config.width(), config.heads(), config.mlpHidden())));
        }
        norm = child("norm", new LayerNorm(manager, config.width(), 1e-6f, true));
        head = child("head", new Linear(manager, config.width(), config.classes(), true));
    }

    public SampleVitConfig config() {
        return config;
    }

    /** Normalised {@code [B,3,H,W]} to final-norm tokens {@code [B,h*w,D]} (row-major). */
    public NDArray tokens(NDArray image) {
        NDArray x = patchEmbed.forward(image);
        for (VitBlock block : blocks) x = block.forward(x);
        return norm.forward(x);
    }

    /** Normalised {@code [B,3,H,W]} to features {@code [B,D,H/p,W/p]}. */
    public NDArray features(NDArray image) {
        Shape s = image.getShape();
        long h = s.get(2) / config.patch();
        long w = s.get(3) / config.patch();
        return tokensToMap(tokens(image), h, w);
    }

    /** {@code [B,h*w,D]} tokens to a {@code [B,D,h,w]} map. */
    public static NDArray tokensToMap(NDArray tokens, long h, long w) {
        long b = tokens.getShape().get(0);
        long d = tokens.getShape().get(2);
        return tokens.transpose(0, 2, 1).reshape(b, d, h, w);
    }

    /** Per-token class logits: {@code [..., D]} to {@code [..., classes]}. */
    public NDArray classify(NDArray tokens) {
        return head.forward(tokens);
    }

    /** The head's weight {@code [classes, D]} and bias, for applying it to feature maps of any resolution. */
    public Linear head() {
        return head;
    }
}
