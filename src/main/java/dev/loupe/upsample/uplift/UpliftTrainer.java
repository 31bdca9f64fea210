package dev.loupe.upsample.uplift;

import dev.loupe.upsample.UpsamplerTrainer;
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
        UpliftConfig.Train t = config.train();
        return new Options(t.imsize(), t.downSteps(), t.batchSize(), (float) t.lr(), steps, 1000, checkpointDir, t.latAug());
    }
}
