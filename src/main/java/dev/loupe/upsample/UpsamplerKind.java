package dev.loupe.upsample;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.upsample.peers.CrossAttention;
import dev.loupe.upsample.peers.JbuConfig;
import dev.loupe.upsample.peers.JointBilateral;
import dev.loupe.upsample.peers.LiftStyle;
import dev.loupe.upsample.peers.PeerModel;
import dev.loupe.upsample.peers.PeerUpsampler;
import dev.loupe.upsample.peers.XattnConfig;
import dev.loupe.upsample.uplift.Uplift;
import dev.loupe.upsample.uplift.UpliftConfig;
import dev.loupe.upsample.uplift.UpliftUpsampler;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The learned upsamplers Loupe trains and compares: UPLiFT and its three peers. Each kind knows its default
 * architecture for a backbone (width and patch), how to build, wrap and load it, and where its shipped sample model
 * lives ({@code sample-models/sample-<id>}).
 */
public enum UpsamplerKind {
    /** UPLiFT: iterated 2x decoder ending in the Local Attender. */
    UPLIFT("uplift", "UPLiFT", "UPLiFT (iterative, Local Attender)"),
    /** The LiFT-style peer: UPLiFT's decoder with a 1x1 output convolution instead of the attender. */
    LIFT("lift", "LiFT-style", "LiFT-style (iterative, 1x1 conv output)"),
    /** The FeatUp-style joint bilateral stack. */
    JBU("jbu", "JBU-style", "FeatUp-style JBU (stacked 2x joint bilateral)"),
    /** The JAFAR-style global cross-attention upsampler. */
    XATTN("xattn", "Cross-attention", "JAFAR-style cross-attention (global, single shot)");

    private final String id;
    private final String name;
    private final String title;

    UpsamplerKind(String id, String name, String title) {
        this.id = id;
        this.name = name;
        this.title = title;
    }

    public String id() {
        return id;
    }

    /** The short name a menu or a panel shows: "UPLiFT", "JBU-style". */
    public String displayName() {
        return name;
    }

    public String title() {
        return title;
    }

    /** The shipped sample model's folder name. */
    public String sampleFolder() {
        return "sample-" + id;
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(UpsamplerKind::id).toList();
    }

    public static UpsamplerKind of(String id) {
        for (UpsamplerKind k : values()) if (k.id.equals(id.toLowerCase(Locale.ROOT))) return k;
        throw new LoupeException("unknown upsampler kind '" + id + "' (use " + String.join(", ", ids()) + ")");
    }

    /**
     * UPLiFT's configuration for a backbone of {@code channels} at patch {@code patch}: the released DINOv2-S/14 one
     * for DINOv2-S/14-shaped features (384 x 14), else the sample ViT's ({@code sample-vit16}, what {@code loupe train
     * uplift} trains) with the backbone's width and patch.
     */
    public static UpliftConfig upliftConfig(int channels, int patch) {
        if (channels == 384 && patch == 14) return UpliftConfig.named("dinov2-s14");
        UpliftConfig sample = UpliftConfig.named(UpliftConfig.SAMPLE_VIT);
        if (channels == sample.backbone().channel() && patch == sample.backbone().patch()) return sample;
        return sample.forBackbone(channels, patch, sample.backbone().modelType(), sample.description() + ", for " + channels
                + " channels at patch " + patch);
    }

    /** A new model of this kind with the default architecture for the backbone, randomly initialised in {@code manager}. */
    public TrainableUpsampler create(NDManager manager, int channels, int patch) {
        return switch (this) {
            case UPLIFT -> new Uplift(manager, upliftConfig(channels, patch));
            case LIFT -> new Uplift(manager, LiftStyle.config(upliftConfig(channels, patch)));
            case JBU -> new JointBilateral(manager, JbuConfig.forBackbone(channels, patch));
            case XATTN -> new CrossAttention(manager, XattnConfig.forBackbone(channels, patch));
        };
    }

    /** A model of this kind with the architecture a model card records, randomly initialised. */
    public TrainableUpsampler create(NDManager manager, JsonObject architecture, String source) {
        return switch (this) {
            case UPLIFT, LIFT -> new Uplift(manager, UpliftConfig.parse(architecture.toString(), source));
            case JBU -> new JointBilateral(manager, JbuConfig.fromJson(architecture, source));
            case XATTN -> new CrossAttention(manager, XattnConfig.fromJson(architecture, source));
        };
    }

    /** The architecture as a model card records it. */
    public static JsonObject architecture(TrainableUpsampler model) {
        JsonElement config = model.describe().get("config");
        return config.getAsJsonObject();
    }

    /** A model the caller owns behind the {@link Upsampler} contract (closing it leaves the model alone). */
    public static Upsampler wrap(TrainableUpsampler model, String name) {
        if (model instanceof Uplift u) return new UpliftUpsampler(u, name);
        if (model instanceof PeerModel p) return new PeerUpsampler(name, p);
        throw new IllegalArgumentException("no inference form for " + model.getClass().getSimpleName());
    }

    /** A model of this kind with the default architecture for the backbone and random weights, owned by the result. */
    public Upsampler random(int channels, int patch, String name) {
        return owning(name, m -> create(m, channels, patch));
    }

    /** A model with the weights of {@code weights} (safetensors), owned by the result. */
    public Upsampler load(JsonObject architecture, Path weights, String name, String source) {
        return owning(name, m -> {
            TrainableUpsampler model = create(m, architecture, source);
            model.module().load(weights, model.ignoredOnLoad());
            return model;
        });
    }

    private Upsampler owning(String name, java.util.function.Function<NDManager, TrainableUpsampler> build) {
        if (this == UPLIFT || this == LIFT) {
            NDManager manager = NDManager.newBaseManager();
            try {
                return UpliftUpsampler.owning((Uplift) build.apply(manager), manager, name);
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        }
        return PeerUpsampler.owning(name, m -> (PeerModel) build.apply(m));
    }
}
