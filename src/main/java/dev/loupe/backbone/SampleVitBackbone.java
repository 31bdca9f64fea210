package dev.loupe.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonElement;
import dev.loupe.LoupeException;
import dev.loupe.models.ModelCard;
import java.nio.file.Files;
import java.nio.file.Path;

/** The {@link SampleVit} behind the {@link Backbone} contract. */
public final class SampleVitBackbone implements Backbone {
    /** The weights file of a sample ViT folder. */
    public static final String WEIGHTS = "model.safetensors";

    private final NDManager owned;
    private final SampleVit model;
    private final String name;

    private SampleVitBackbone(NDManager owned, SampleVit model, String name) {
        this.owned = owned;
        this.model = model;
        this.name = name;
    }

    /**
     * Opens a model folder as {@code loupe train backbone} writes it: {@code model.json} (its {@code architecture}
     * is the {@link SampleVitConfig}) and {@code model.safetensors}, checked against the card's SHA-256.
     */
    public static SampleVitBackbone open(Path folder) {
        ModelCard card = ModelCard.read(folder);
        if (!"backbone".equals(card.kind()) || !card.json().has("architecture") || !card.json().get("architecture").isJsonObject()) {
            throw new LoupeException(folder.resolve("model.json") + " does not describe a sample ViT backbone (kind "
                    + card.kind() + ")");
        }
        JsonElement arch = card.json().get("architecture");
        SampleVitConfig config = SampleVitConfig.fromJson(arch.getAsJsonObject(), folder.resolve("model.json").toString());
        Path weights = folder.resolve(WEIGHTS);
        if (!Files.isRegularFile(weights)) throw new LoupeException(weights + " is missing");
        card.verify();
        return load(config, weights, card.name());
    }

    /** A model with the weights of {@code weights}, owned (and closed) by the returned backbone. */
    public static SampleVitBackbone load(SampleVitConfig config, Path weights, String name) {
        NDManager manager = NDManager.newBaseManager();
        try {
            SampleVit model = new SampleVit(manager, config);
            model.load(weights, key -> false);
            return new SampleVitBackbone(manager, model, name);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A model with random weights (for speed and memory measurements), owned (and closed) by the returned backbone. */
    public static SampleVitBackbone random(SampleVitConfig config, String name) {
        NDManager manager = NDManager.newBaseManager();
        try {
            return new SampleVitBackbone(manager, new SampleVit(manager, config), name);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Wraps a model the caller owns (closing the backbone leaves it alone). */
    public static SampleVitBackbone wrap(SampleVit model, String name) {
        return new SampleVitBackbone(null, model, name);
    }

    public SampleVit model() {
        return model;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int patchSize() {
        return model.config().patch();
    }

    @Override
    public int channels() {
        return model.config().width();
    }

    @Override
    public Normalisation normalisation() {
        return SampleVit.NORMALISATION;
    }

    @Override
    public int preferredSize() {
        return model.config().preferredSize();
    }

    @Override
    public NDArray extract(NDArray image) {
        NDManager target = image.getManager();
        try (NDManager scope = target.newSubManager()) {
            image.tempAttach(scope); // returns to its manager when the scope closes; temporaries stay in the scope
            NDArray features = differentiableExtract(image).stopGradient();
            features.attach(target);
            return features;
        }
    }

    /**
     * {@link #extract} with the graph kept: the features stay a function of the image, so that a loss through this
     * frozen backbone reaches whatever made the image. In the image's manager.
     */
    public NDArray differentiableExtract(NDArray image) {
        BackboneInput.checkImage(image, patchSize(), name);
        return model.features(normalisation().apply(image));
    }

    @Override
    public void close() {
        if (owned != null) owned.close();
    }
}
