package dev.loupe.app.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.LoupeException;
import dev.loupe.Progress;
import dev.loupe.app.TinyModels;
import dev.loupe.backbone.Backbones;
import dev.loupe.upsample.Upsamplers;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Features workspace's work without a window, on tiny stand-ins for the sample models. */
class FeatureSessionTest {
    @TempDir static Path home;
    static String vit;
    static String uplift;
    static FeatureSource scene;

    @BeforeAll
    static void models() throws IOException {
        TinyModels.home(home);
        vit = home.resolve("sample-models").resolve(Backbones.SAMPLE_MODEL).toString();
        uplift = home.resolve("sample-models").resolve(Upsamplers.SAMPLE_UPLIFT).toString();
        scene = FeatureSource.decode(Samples.file(Samples.list().get(0)), "shapes-01.png", 1L << 24);
    }

    static FeatureSession session() {
        FeatureSession s = new FeatureSession();
        s.loadBackbone(vit, Progress.NONE);
        return s;
    }

    @Test
    void anotherUpsamplerReusesTheBackboneFeaturesAndTheirColours() {
        try (FeatureSession s = session()) {
            Snapshot first = s.compute(scene, List.of(uplift), 0, Progress.NONE);
            assertFalse(first.backboneReused());
            assertEquals(TinyModels.INPUT, first.inputWidth());
            assertEquals(8, first.tokensWide());

            Snapshot both = s.compute(scene, List.of(Upsamplers.NEAREST, uplift), 0, Progress.NONE);
            assertTrue(both.backboneReused());
            assertEquals(first.stages(), both.stages(), "the backbone's stages are those measured the first time");
            assertFalse(both.layer(Upsamplers.NEAREST).reused());
            assertTrue(both.layer(uplift).reused());
            assertSame(first.layer(uplift).pca(), first.layer(uplift).pca());
            // one PCA basis and colour scale for all: nearest upsampling shows each token in its low-res colour
            BufferedImage near = both.layer(Upsamplers.NEAREST).pca();
            for (int ty = 0; ty < 8; ty++) {
                for (int tx = 0; tx < 8; tx++) {
                    assertEquals(both.lowResPca().getRGB(tx, ty), near.getRGB(16 * tx + 7, 16 * ty + 7), "token " + tx + "," + ty);
                }
            }

            // upsamplers no longer shown are released; a new input size runs the backbone again
            Snapshot nearOnly = s.compute(scene, List.of(Upsamplers.NEAREST), 0, Progress.NONE);
            assertTrue(nearOnly.layer(Upsamplers.NEAREST).reused());
            assertFalse(s.compute(scene, List.of(uplift), 0, Progress.NONE).layer(uplift).reused());
            Snapshot larger = s.compute(scene, List.of(uplift), 192, Progress.NONE);
            assertFalse(larger.backboneReused());
            assertEquals(192, larger.inputWidth());
            assertEquals(12, larger.tokensWide());
        }
    }

    @Test
    void similarityOfAPixelIsOneAtThatPixelOnOneScaleForAllMaps() {
        try (FeatureSession s = session()) {
            Snapshot shown = s.compute(scene, List.of(uplift, Upsamplers.BILINEAR), 0, Progress.NONE);
            SimilarityMaps maps = s.similarity(shown, 300, 100, Progress.NONE).orElseThrow();
            assertEquals(300L * TinyModels.INPUT / 448, maps.inputX());
            assertEquals(100L * TinyModels.INPUT / 448, maps.inputY());
            assertEquals(maps.inputX() / 16, maps.tokenX());
            assertEquals(2, maps.dense().size());
            int top = SimilarityMaps.COLOURS.rgb(1);
            assertEquals(top, maps.lowRes().getRGB(maps.tokenX(), maps.tokenY()) & 0xffffff);
            for (BufferedImage d : maps.dense()) {
                assertEquals(TinyModels.INPUT, d.getWidth());
                assertEquals(top, d.getRGB(maps.inputX(), maps.inputY()) & 0xffffff);
            }
            assertTrue(maps.low() >= -1 && maps.low() < 1 && maps.high() == 1);
            // features of another image: the old snapshot no longer has maps
            FeatureSource other = new FeatureSource("other", scene.file(), scene.image(), 448, 448, 1L << 24, 0);
            s.compute(other, List.of(uplift), 0, Progress.NONE);
            assertTrue(s.similarity(shown, 1, 1, Progress.NONE).isEmpty());
        }
    }

    @Test
    void aBackboneThatDoesNotLoadLeavesTheSessionAsItWas(@TempDir Path dir) throws IOException {
        try (FeatureSession s = session()) {
            Snapshot before = s.compute(scene, List.of(Upsamplers.BILINEAR), 0, Progress.NONE);
            Path broken = Files.writeString(dir.resolve("broken.onnx"), "nope");
            assertThrows(LoupeException.class, () -> s.loadBackbone(broken.toString(), Progress.NONE));
            assertEquals(vit, s.backbone().spec());
            assertTrue(s.compute(scene, List.of(Upsamplers.BILINEAR), 0, Progress.NONE).layer(Upsamplers.BILINEAR).reused(),
                    "the features on show survive");
            assertNotEquals(null, before);
        }
    }

    @Test
    void anUpsamplerMadeForAnotherBackboneIsOneClearError(@TempDir Path dir) throws IOException {
        try (FeatureSession s = new FeatureSession()) {
            s.loadBackbone(TinyModels.vit(dir.resolve("wide-vit"), 48).toString(), Progress.NONE);
            assertEquals(48, s.backbone().channels());
            LoupeException e = assertThrows(LoupeException.class, () -> s.prepareUpsampler(uplift, Progress.NONE));
            assertTrue(e.getMessage().contains("32 channels") && e.getMessage().contains("48 channels"), e.getMessage());
            Snapshot shown = s.compute(scene, List.of(Upsamplers.BILINEAR), 0, Progress.NONE);
            assertEquals(48, shown.channels());
        }
    }

    @Test
    void aCancelledComputationStopsAndTheSessionStaysUsable() {
        Progress cancelled = new Progress() {
            @Override public void update(double fraction, String message) {}
            @Override public boolean isCancelled() { return true; }
        };
        try (FeatureSession s = session()) {
            assertThrows(CancellationException.class, () -> s.compute(scene, List.of(uplift), 0, cancelled));
            assertFalse(s.compute(scene, List.of(uplift), 0, Progress.NONE).backboneReused());
        }
    }

    @Test
    void exportWritesEveryFileAtomicallyAndRefusesAFile(@TempDir Path dir) throws IOException {
        try (FeatureSession s = session()) {
            Snapshot shown = s.compute(scene, List.of(uplift), 0, Progress.NONE);
            List<Path> files = s.export(shown, null, 0.5, dir.resolve("out"), Progress.NONE);
            assertEquals(List.of(FeatureSession.INPUT, FeatureSession.LOW_RES_PCA, FeatureSession.UPSAMPLED_PCA, FeatureSession.OVERLAY,
                    FeatureSession.DENSE_FEATURES, FeatureSession.SUMMARY), files.stream().map(p -> p.getFileName().toString()).toList());
            Path file = Files.writeString(dir.resolve("a-file"), "x");
            LoupeException e = assertThrows(LoupeException.class, () -> s.export(shown, null, 0.5, file, Progress.NONE));
            assertTrue(e.getMessage().contains("is not a folder"), e.getMessage());
        }
    }
}
