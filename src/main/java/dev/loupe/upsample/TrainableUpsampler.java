package dev.loupe.upsample;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonObject;
import dev.loupe.tensor.Module;
import java.util.List;
import java.util.function.Predicate;

/**
 * An upsampler that {@link UpsamplerTrainer} can train with the multi-depth reconstruction objective: UPLiFT, the
 * LiFT-style decoder, the joint bilateral stack and the cross-attention upsampler all implement it.
 */
public interface TrainableUpsampler {
    /** The learned weights: what the optimiser updates, what checkpoints and model files hold. */
    Module module();

    /** The patch size of the backbone whose features this upsampler was built for. */
    int patch();

    /**
     * The differentiable forward of training: {@code features} {@code [B,C,h,w]} upsampled to 2x, 4x, ...
     * {@code 2^steps} x their size, guided by {@code image} {@code [B,3,H,W]} (RGB in [0,1]; each upsampler
     * normalises it its own way). Returns one map per factor, smallest first: {@code [B,C,2^k h,2^k w]}.
     */
    List<NDArray> forwardSteps(NDArray image, NDArray features, int steps);

    /** The kind and architecture, for checkpoints and model cards. */
    JsonObject describe();

    /** Keys a checkpoint may have or lack without harm (BatchNorm's batch counters, for example). */
    default Predicate<String> ignoredOnLoad() {
        return key -> false;
    }
}
