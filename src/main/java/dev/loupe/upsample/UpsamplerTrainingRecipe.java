package dev.loupe.upsample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.world.ShapesWorld;
import dev.loupe.world.WorldBatch;

/**
 * The data and budget every learned upsampler in Loupe is trained with, so that UPLiFT and its peers (LiFT-style,
 * joint bilateral, cross-attention) trained "with the same data and budget" really see the same thing:
 * <ul>
 *   <li>data: ShapesWorld scenes, {@code batchSize} fresh scenes per step, step {@code s} using seeds
 *   {@code firstSeed + s * batchSize ...}, rendered at {@code imageSize} (the multi-scale pyramid S, S/2, ... S/2^depths
 *   is made from them by antialiased downscaling);</li>
 *   <li>budget: {@code steps} optimisation steps (Adam, {@code learningRate});</li>
 *   <li>held-out scenes for metrics: seeds {@code 0 .. heldOutScenes-1} (below every training seed of Loupe's sample
 *   models).</li>
 * </ul>
 * The image size follows the backbone's patch: S halves {@code depths} times to a grid of 4 x 4 tokens.
 */
public record UpsamplerTrainingRecipe(int imageSize, int depths, int batchSize, long steps, float learningRate, long firstSeed,
        int heldOutScenes) {
    /** Training scenes of the upsamplers start here (the sample backbone's start at 1,000,000). */
    public static final long FIRST_TRAINING_SEED = 2_000_000L;
    /** Held-out scenes the model cards' metrics are measured on, unless a command says otherwise. */
    public static final int HELD_OUT_SCENES = 100;
    /** Tokens per side of the smallest pyramid level. */
    public static final int SMALLEST_GRID = 4;

    public UpsamplerTrainingRecipe {
        if (depths < 1) throw new LoupeException("an upsampler recipe needs at least one depth, got " + depths);
        if (batchSize < 1 || steps < 1) throw new LoupeException("batch size and steps must be positive, got " + batchSize + " and " + steps);
        if (heldOutScenes < 1 || heldOutScenes > firstSeed) throw new LoupeException("held-out scenes must be 1.." + firstSeed + ", got " + heldOutScenes);
    }

    /** Loupe's recipe for a backbone of patch {@code patch}: S = patch * 4 * 2^2, 2 depths, 8 scenes a step, Adam 1e-3. */
    public static UpsamplerTrainingRecipe standard(int patch, long steps) {
        int depths = 2;
        return new UpsamplerTrainingRecipe(patch * SMALLEST_GRID << depths, depths, 8, steps, 1e-3f, FIRST_TRAINING_SEED, HELD_OUT_SCENES);
    }

    /** This recipe with {@code batch} scenes a step (the commands' hidden --batch, for tiny test runs). */
    public UpsamplerTrainingRecipe withBatchSize(int batch) {
        return new UpsamplerTrainingRecipe(imageSize, depths, batch, steps, learningRate, firstSeed, heldOutScenes);
    }

    /** This recipe with its metrics on held-out seeds {@code 0 .. scenes-1}. */
    public UpsamplerTrainingRecipe withHeldOutScenes(int scenes) {
        return new UpsamplerTrainingRecipe(imageSize, depths, batchSize, steps, learningRate, firstSeed, scenes);
    }

    /** The training images of step {@code step}: {@code [batchSize,3,size,size]} RGB in [0,1], in (a child of) {@code manager}. */
    public NDArray images(NDManager manager, long step, int batch, int size) {
        WorldBatch b = WorldBatch.render(manager, firstSeed + step * batch, batch, size);
        return b.images(); // the batch's own manager is a child of manager and closes with it
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("world", "ShapesWorld");
        o.addProperty("world_version", ShapesWorld.VERSION);
        o.addProperty("image_size", imageSize);
        o.addProperty("depths", depths);
        o.addProperty("batch_size", batchSize);
        o.addProperty("steps", steps);
        o.addProperty("learning_rate", learningRate);
        o.addProperty("optimizer", "Adam (betas 0.9, 0.999), constant learning rate, L2 loss");
        o.addProperty("first_seed", firstSeed);
        o.addProperty("training_seeds", firstSeed + ".." + (firstSeed + steps * batchSize - 1));
        o.addProperty("held_out_seeds", "0.." + (heldOutScenes - 1));
        return o;
    }
}
