package dev.loupe.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.LoupeException;
import dev.loupe.Progress;
import dev.loupe.backbone.Backbone;
import dev.loupe.backbone.TorchScriptBackbone;
import dev.loupe.upsample.BilinearUpsampler;
import dev.loupe.upsample.NearestUpsampler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeaturePipelineTest {
    static final Path TINY = Path.of("src/test/resources/backbones/tiny_backbone.pt");

    @Test
    void imageTensorThroughBackboneUpsamplerAndPca() {
        try (Backbone b = TorchScriptBackbone.open(TINY); NDManager m = NDManager.newBaseManager()) {
            NDArray image = m.randomUniform(0, 1, new Shape(1, 3, 30, 50));
            try (DenseFeatures f = FeaturePipeline.run(image, b, new BilinearUpsampler(), new FeaturePipeline.Options(40, 1 << 20), Progress.NONE)) {
                // longer side 40, shorter 30 * 40/50 = 24: both whole patches of 4
                assertEquals(new Shape(1, 3, 24, 40), f.image().getShape());
                assertEquals(new Shape(1, 8, 6, 10), f.lowRes().getShape());
                assertEquals(new Shape(1, 8, 24, 40), f.dense().getShape());
                assertEquals(List.of("resize", "backbone", "upsample", "pca"), f.stages().stream().map(DenseFeatures.Stage::name).toList());
                assertEquals(40, f.densePca().getWidth());
                assertEquals(40, f.lowResPcaAtImageSize().getWidth());
                assertEquals(10, f.lowResPca().getWidth());
                assertEquals(6 * 10, f.lowResSimilarity(39, 23).values().length);
                assertEquals(1.0, f.denseSimilarity(5, 5).at(5, 5), 1e-5);
                assertEquals("", f.note());
            }
            assertTrue(!image.isReleased(), "the caller's image is left alone");
        }
    }

    @Test
    void fixedSizeExportsGetExactlyTheirSizeAndSaySo(@TempDir Path tmp) throws IOException {
        Path model = Files.copy(TINY, tmp.resolve("fixed.pt"));
        Files.writeString(tmp.resolve("fixed.pt.json"), "{\"patch_size\": 4, \"preferred_size\": 32, \"fixed_size\": true}");
        try (Backbone b = TorchScriptBackbone.open(model); NDManager m = NDManager.newBaseManager()) {
            assertTrue(b.fixedSize());
            NDArray image = m.randomUniform(0, 1, new Shape(1, 3, 30, 50));
            try (DenseFeatures f = FeaturePipeline.run(image, b, new BilinearUpsampler(), FeaturePipeline.Options.defaults(), Progress.NONE)) {
                assertEquals(new Shape(1, 3, 32, 32), f.image().getShape());
                assertTrue(f.note().contains("takes only 32x32 images"), f.note());
            }
            LoupeException e = assertThrows(LoupeException.class, () -> b.extract(m.zeros(new Shape(1, 3, 16, 16))));
            assertTrue(e.getMessage().contains("only takes 32x32 images"), e.getMessage());
        }
    }

    @Test
    void anotherUpsamplerReusesTheImageFeaturesAndPcaWithoutTheBackbone() {
        try (Backbone b = TorchScriptBackbone.open(TINY); NDManager m = NDManager.newBaseManager()) {
            NDArray image = m.randomUniform(0, 1, new Shape(1, 3, 24, 40));
            DenseFeatures base = FeaturePipeline.run(image, b, new BilinearUpsampler(), new FeaturePipeline.Options(40, 1 << 20), Progress.NONE);
            DenseFeatures near;
            try (base) {
                near = FeaturePipeline.upsample(base, new NearestUpsampler(), Progress.NONE);
                assertEquals(List.of("upsample"), near.stages().stream().map(DenseFeatures.Stage::name).toList());
                assertEquals("nearest", near.upsamplerName());
                assertEquals(base.backboneName(), near.backboneName());
                assertSame(base.pca(), near.pca(), "one basis and colour scale for both");
                assertEquals(base.dense().getShape(), near.dense().getShape());
            }
            try (near) {
                // its arrays are its own: the base is closed
                assertEquals(new Shape(1, 8, 6, 10), near.lowRes().getShape());
                float[] low = near.lowRes().toFloatArray();
                float[] dense = near.dense().toFloatArray();
                assertEquals(low[0], dense[0], 1e-6f, "nearest repeats the token at (0, 0)");
                assertEquals(40, near.densePca().getWidth());
            }
        }
    }

    @Test
    void cancellationStopsBetweenStages() {
        Progress cancelled = new Progress() {
            @Override public void update(double fraction, String message) {}
            @Override public boolean isCancelled() { return true; }
        };
        try (Backbone b = TorchScriptBackbone.open(TINY); NDManager m = NDManager.newBaseManager()) {
            assertThrows(CancellationException.class,
                    () -> FeaturePipeline.run(m.zeros(new Shape(1, 3, 8, 8)), b, new BilinearUpsampler(), FeaturePipeline.Options.defaults(), cancelled));
        }
    }
}
