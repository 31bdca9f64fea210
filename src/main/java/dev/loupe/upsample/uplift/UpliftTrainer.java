package dev.loupe.upsample.uplift;

import dev.loupe.LoupeException;
import dev.loupe.upsample.UpsamplerTrainer;
import dev.loupe.upsample.UpsamplerTrainingRecipe;
import java.nio.file.Path;

/**
 * The {@link UpsamplerTrainer} for an UPLiFT model, with the settings of its configuration's {@code train} section
 * when no shared recipe is given ({@link #options}).
 */
public final class UpliftTrainer extends UpsamplerTrainer {
    public UpliftTrainer(Uplift model, Backbone backbone, Images images, Options options) {
        super(model, backbone, images, options);
    }

    /** The configuration's {@code train} section, with the given number of steps and checkpoint folder. */
    public static Options options(UpliftConfig config, long steps, Path checkpointDir) {
        return Options.from(recipe(config, steps, config.description()), 1000, checkpointDir, config.train().latAug());
    }

    /**
     * The ShapesWorld recipe of the configuration's {@code train} section: its imsize, down_steps, batch_size and lr, for
     * {@code steps} steps. Settings this trainer does not implement (another loss, only_deepest, single-step training) are
     * refused, not ignored; {@code source} names the configuration in the message.
     */
    public static UpsamplerTrainingRecipe recipe(UpliftConfig config, long steps, String source) {
        UpliftConfig.Train t = config.train();
        if (!"l2".equals(t.loss()) || t.onlyDeepest() || !t.multiStep()) {
            throw new LoupeException(source + ": Loupe trains UPLiFT with train.loss l2, only_deepest false and multi_step true; "
                    + "the file asks for loss " + t.loss() + ", only_deepest " + t.onlyDeepest() + ", multi_step " + t.multiStep());
        }
        return new UpsamplerTrainingRecipe(t.imsize(), t.downSteps(), t.batchSize(), steps, (float) t.lr(),
                UpsamplerTrainingRecipe.FIRST_TRAINING_SEED, UpsamplerTrainingRecipe.HELD_OUT_SCENES);
    }
}
