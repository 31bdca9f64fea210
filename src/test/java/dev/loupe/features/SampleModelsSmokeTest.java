package dev.loupe.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.types.Shape;
import dev.loupe.Progress;
import dev.loupe.backbone.Backbone;
import dev.loupe.backbone.Backbones;
import dev.loupe.models.LoupeHome;
import dev.loupe.upsample.Upsampler;
import dev.loupe.upsample.Upsamplers;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shipped sample backbone and UPLiFT, when this checkout has them: they load, match and run on a bundled scene. */
class SampleModelsSmokeTest {
    @Test
    void shippedSampleModelsRunOnABundledScene() {
        assumeTrue(Files.isDirectory(LoupeHome.sampleModels().resolve(Backbones.SAMPLE_MODEL)), "no shipped sample ViT");
        assumeTrue(Files.isDirectory(LoupeHome.sampleModels().resolve(Upsamplers.SAMPLE_UPLIFT)), "no shipped sample UPLiFT");
        try (Backbone b = Backbones.open(Backbones.SAMPLE);
             Upsampler u = Upsamplers.open(Upsamplers.UPLIFT, b.channels(), b.patchSize(), Backbones.SAMPLE);
             DenseFeatures f = FeaturePipeline.run(Path.of("assets/samples/shapes-01.png"), b, u, FeaturePipeline.Options.defaults(), Progress.NONE)) {
            assertEquals(16, b.patchSize());
            assertEquals(new Shape(1, b.channels(), 256, 256), f.dense().getShape());
            assertEquals(new Shape(1, b.channels(), 16, 16), f.lowRes().getShape());
            double[] ev = f.pca().explainedVariance();
            assertTrue(ev[0] + ev[1] + ev[2] > 0.3, "three components explain little of the sample features: " + java.util.Arrays.toString(ev));
        }
    }
}
