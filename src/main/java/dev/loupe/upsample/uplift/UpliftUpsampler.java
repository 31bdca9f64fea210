package dev.loupe.upsample.uplift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.tensor.Images;
import dev.loupe.tensor.Resize;
import dev.loupe.upsample.Upsampler;
import java.nio.file.Path;

/**
 * UPLiFT behind the {@link Upsampler} contract: normalises the [0,1] image as its configuration says, runs as many
 * 2x steps as needed to reach the requested size, and resizes to it exactly (torchvision bilinear, as the
 * reference's {@code outsize}) when the steps overshoot or miss.
 */
public final class UpliftUpsampler implements Upsampler {
    private final NDManager owned;
    private final Uplift model;
    private final UpliftInference inference;
    private final String name;

    /** Loads weights into a model this upsampler owns (and closes). */
    public UpliftUpsampler(UpliftConfig config, Path weights, String name) {
        owned = NDManager.newBaseManager();
        try {
            model = Uplift.load(owned, config, weights);
            inference = model.inference();
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
        this.name = name;
    }

    /** Wraps a model the caller owns (its weights are snapshotted now). */
    public UpliftUpsampler(Uplift model, String name) {
        this(model, name, null);
    }

    private UpliftUpsampler(Uplift model, String name, NDManager owned) {
        this.owned = owned;
        this.model = model;
        this.inference = model.inference();
        this.name = name;
    }

    /** Wraps a model (in eval mode) whose manager the upsampler takes over and closes. */
    public static UpliftUpsampler owning(Uplift model, NDManager manager, String name) {
        model.train(false);
        return new UpliftUpsampler(model, name, manager);
    }

    @Override
    public String name() {
        return name;
    }

    public Uplift model() {
        return model;
    }

    /** The smallest number of steps whose output covers {@code out} from {@code in} (0 if already large enough). */
    public static int stepsFor(long in, long out, int factor) {
        int k = 0;
        long size = in;
        while (size < out) {
            size *= factor;
            k++;
        }
        return k;
    }

    /** An RGB image in [0,1] normalised as this configuration's encoder was trained. */
    public static NDArray normalise(NDArray rgb, UpliftConfig.ImageNorm norm) {
        return switch (norm) {
            case IMAGENET -> Images.normalizeImageNet(rgb);
            case HALF -> rgb.sub(0.5f).div(0.5f);
            case UNIT -> rgb.duplicate();
            case SIGNED_UNIT -> rgb.mul(2f).sub(1f);
        };
    }

    @Override
    public NDArray upsample(NDArray image, NDArray features, int outH, int outW) {
        int factor = model.decoder().upFactor();
        int iters = Math.max(stepsFor(features.getShape().get(2), outH, factor), stepsFor(features.getShape().get(3), outW, factor));
        if (iters == 0) return Resize.torchvisionBilinear(features, outH, outW);
        NDArray up;
        try (NDArray normalised = normalise(image, model.config().imageNorm())) {
            up = inference.run(normalised, features, iters);
        }
        if (up.getShape().get(2) == outH && up.getShape().get(3) == outW) return up;
        try (up) {
            return Resize.torchvisionBilinear(up, outH, outW);
        }
    }

    @Override
    public long parameterCount() {
        return model.parameterCount();
    }

    @Override
    public void close() {
        inference.close();
        if (owned != null) owned.close();
    }
}
