package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.LoupeException;
import dev.loupe.tensor.Module;
import dev.loupe.tensor.Resize;
import dev.loupe.tensor.nn.Conv2d;
import dev.loupe.upsample.TrainableUpsampler;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * UPLiFT (Walmer et al., CVPR 2026): an iterative 2x feature upsampler. An image encoder runs once on the
 * (normalised) image; then the same decoder step runs {@code iters} times, each doubling the features' resolution,
 * and each ending in a {@link LocalAttender} that mixes the step's own input features. Keys are the reference's
 * ({@code encoder.block_N.blocks.0.conv.K.*}, {@code decoder.block_N...}, {@code decoder.up_1.up.*},
 * {@code attender.conv1.*}, and {@code refiner.*}, {@code ref_outc.*} for the SD-VAE variant), so official
 * checkpoints load as they are.
 *
 * <p>{@link #forward} is the differentiable form (training, and the reference for tests); {@link #inference()}
 * snapshots the weights into the fast form (BatchNorm folded, streaming attender, temporaries released early).
 * Inputs here are already normalised the way the configuration's backbone expects
 * ({@link UpliftConfig#imageNorm()}); {@link UpliftUpsampler} does that for an RGB image in [0,1].
 */
public final class Uplift extends Module implements TrainableUpsampler {
    /** Keys a checkpoint may have or lack without harm: BatchNorm's batch counters. */
    public static final Predicate<String> IGNORED_ON_LOAD = key -> key.endsWith("num_batches_tracked");

    private final UpliftConfig config;
    private final UpliftEncoder encoder;
    private final UpliftDecoder decoder;
    private final LocalAttender attender;
    private final BlockGroup refiner;
    private final Conv2d refinerOut;
    private final int refinerEncoderIndex;

    public Uplift(NDManager manager, UpliftConfig config) {
        super(manager);
        this.config = config;
        UpliftConfig.Architecture a = config.uplift();
        int channels = config.backbone().channel();
        encoder = child("encoder", new UpliftEncoder(manager, 3, a.encoder()));
        int[] enc = encoder.outChannels();
        boolean usingAttender = a.attender() != -1;
        decoder = child("decoder", new UpliftDecoder(manager, channels, channels, a.decoder(), enc, usingAttender));
        attender = usingAttender ? child("attender", new LocalAttender(manager, decoder.outChannels(), a.attender())) : null;
        if (a.refiner() != null) {
            UpliftConfig.Refiner r = a.refiner();
            refinerEncoderIndex = r.refCon() < 0 ? enc.length + r.refCon() : r.refCon();
            if (refinerEncoderIndex < 0 || refinerEncoderIndex >= enc.length) {
                throw new LoupeException("uplift.refiner.ref_con is " + r.refCon() + " but the encoder has " + enc.length + " outputs");
            }
            refiner = child("refiner", new BlockGroup(manager, channels + r.ncatC() + enc[refinerEncoderIndex], r.block0()));
            refinerOut = child("ref_outc", new Conv2d(manager, refiner.outChannels(), channels, 1, true));
        } else {
            refinerEncoderIndex = -1;
            refiner = null;
            refinerOut = null;
        }
    }

    /** A model with the weights of an official or Loupe checkpoint (safetensors). */
    public static Uplift load(NDManager manager, UpliftConfig config, Path weights) {
        Uplift model = new Uplift(manager, config);
        model.load(weights, IGNORED_ON_LOAD);
        return model;
    }

    public UpliftConfig config() {
        return config;
    }

    /**
     * The reference's pre-scale for patch-14 backbones: the image is resized by 16/14 (torchvision bilinear) so that
     * 2^k steps land on whole pixels. Other patch sizes pass unchanged (the same array).
     */
    public NDArray prescale(NDArray image) {
        if (config.backbone().patch() != 14) return image;
        int h = Ops.height(image) * 16 / 14;
        int w = Ops.width(image) * 16 / 14;
        return Resize.torchvisionBilinear(image, h, w);
    }

    /** Every step's output for {@code iters} steps (differentiable). image {@code [B,3,H,W]} normalised, features {@code [B,C,h,w]}. */
    public List<NDArray> forward(NDArray image, NDArray features, int iters) {
        checkInputs(image, features, iters);
        List<NDArray> steps = new ArrayList<>();
        List<NDArray> enc = null;
        NDArray x = features;
        for (int i = 0; i < iters; i++) {
            if (enc == null || !config.uplift().encShare()) {
                NDArray img = i > 0 ? scaledImage(image, i) : image;
                enc = encoder.forward(prescale(img));
            }
            x = step(x, enc);
            steps.add(x);
        }
        return steps;
    }

    /** One decoder step with its attender and refiner: {@code [B,C,h,w] -> [B,C,2h,2w]}. */
    NDArray step(NDArray x, List<NDArray> enc) {
        NDArray y = decoder.forward(x, enc);
        if (attender != null) y = attender.forward(y, x);
        if (refiner != null) {
            UpliftConfig.Refiner r = config.uplift().refiner();
            y = refiner.forward(UpliftDecoder.combine(y, enc.get(refinerEncoderIndex), r.ncatC(), (float) r.ncatS(), r.encResample()));
            y = refinerOut.forward(y);
        }
        return y;
    }

    /** Without encoder sharing, step i sees the image scaled by up_factor^i (the reference's {@code resize_sf}). */
    NDArray scaledImage(NDArray image, int step) {
        double f = Math.pow(config.uplift().upFactor(), step);
        return Resize.torchvisionBilinear(image, (int) (Ops.height(image) * f), (int) (Ops.width(image) * f));
    }

    void checkInputs(NDArray image, NDArray features, int iters) {
        if (iters < 1) throw new LoupeException("UPLiFT needs at least one iteration, got " + iters);
        if (image.getShape().dimension() != 4 || image.getShape().get(1) != 3) {
            throw new LoupeException("UPLiFT expects an image [B,3,H,W], got " + image.getShape());
        }
        int c = config.backbone().channel();
        if (features.getShape().dimension() != 4 || features.getShape().get(1) != c) {
            throw new LoupeException("this UPLiFT model upsamples features [B," + c + ",h,w], got " + features.getShape());
        }
        if (image.getShape().get(0) != features.getShape().get(0)) {
            throw new LoupeException("the image batch " + image.getShape() + " and the feature batch " + features.getShape() + " differ");
        }
    }

    /** The fast inference form, with its own snapshot of the (folded) weights; close it when done. */
    public UpliftInference inference() {
        return new UpliftInference(this);
    }

    UpliftEncoder encoder() { return encoder; }

    UpliftDecoder decoder() { return decoder; }

    LocalAttender attender() { return attender; }

    BlockGroup refiner() { return refiner; }

    Conv2d refinerOut() { return refinerOut; }

    int refinerEncoderIndex() { return refinerEncoderIndex; }

    @Override
    public Module module() {
        return this;
    }

    @Override
    public int patch() {
        return config.backbone().patch();
    }

    /** {@link #forward} on the image normalised as the configuration says. */
    @Override
    public List<NDArray> forwardSteps(NDArray image, NDArray features, int steps) {
        return forward(UpliftUpsampler.normalise(image, config.imageNorm()), features, steps);
    }

    @Override
    public JsonObject describe() {
        JsonObject o = new JsonObject();
        o.addProperty("kind", "uplift");
        o.add("config", config.toJsonTree());
        return o;
    }

    @Override
    public Predicate<String> ignoredOnLoad() {
        return IGNORED_ON_LOAD;
    }

    /** Spatial size after {@code iters} steps from features of {@code size}. */
    public long outputSize(long size, int iters) {
        return size * (long) Math.pow(decoder.upFactor(), iters);
    }

    /**
     * Multiply-accumulates of convolutions and attender sums (norms, activations and resizes are not counted) for
     * one image of {@code imageH x imageW} with features of {@code featH x featW}, {@code iters} steps.
     */
    public long macs(int imageH, int imageW, int featH, int featW, int iters) {
        long total = 0;
        long h = featH;
        long w = featW;
        int channels = config.backbone().channel();
        for (int i = 0; i < iters; i++) {
            if (i == 0 || !config.uplift().encShare()) {
                double f = i == 0 ? 1 : Math.pow(config.uplift().upFactor(), i);
                long ih = (long) (imageH * f);
                long iw = (long) (imageW * f);
                if (config.backbone().patch() == 14) {
                    ih = ih * 16 / 14;
                    iw = iw * 16 / 14;
                }
                total += encoder.macs(ih, iw);
            }
            total += decoder.macs(h, w);
            long oh = h * decoder.upFactor();
            long ow = w * decoder.upFactor();
            if (attender != null) total += attender.macs(oh, ow, channels);
            if (refiner != null) total += refiner.macs(oh, ow) + refinerOut.macs(oh, ow);
            h = oh;
            w = ow;
        }
        return total;
    }
}
