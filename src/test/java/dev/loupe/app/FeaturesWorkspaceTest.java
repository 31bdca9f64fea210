package dev.loupe.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import dev.loupe.app.features.FeatureSession;
import dev.loupe.app.features.FeatureSource;
import dev.loupe.app.features.FeaturesViewModel;
import dev.loupe.app.features.FeaturesViewModel.Choice;
import dev.loupe.app.features.ImagePanel;
import dev.loupe.app.features.Samples;
import dev.loupe.app.features.Snapshot;
import dev.loupe.tensor.SafeTensors;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javafx.concurrent.Task;
import javafx.concurrent.Worker;
import javafx.scene.control.ComboBox;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The Features workspace in the real main window (headless), with tiny stand-ins for the sample models: open an
 * image through the window's open path, wait for the overlays, switch and compare upsamplers, click a pixel,
 * export, and the bad inputs.
 */
@ExtendWith(ApplicationExtension.class)
class FeaturesWorkspaceTest {
    @TempDir static Path home;
    private static String previousHome;

    private MainWindowController window;
    private Workbench workbench;
    private FeaturesController features;
    private FeaturesViewModel model;

    @BeforeAll
    static void tinyModels() throws IOException {
        System.setProperty("loupe.ephemeral", "true");
        previousHome = System.getProperty("loupe.home");
        TinyModels.home(home);
        System.setProperty("loupe.home", home.toString());
    }

    @AfterAll
    static void restoreHome() {
        if (previousHome == null) System.clearProperty("loupe.home");
        else System.setProperty("loupe.home", previousHome);
    }

    @Start
    void start(Stage stage) {
        workbench = new Workbench();
        window = LoupeApp.show(stage, workbench);
        features = window.features();
        model = features.model();
    }

    @AfterEach
    void close() {
        workbench.close();
    }

    private static <T> T done(Task<T> task) throws Exception {
        FxWait.until(60, () -> task.getState() == Worker.State.SUCCEEDED || task.getState() == Worker.State.FAILED);
        Throwable failure = FxWait.onFx(task::getException);
        if (failure != null) throw new AssertionError("task failed", failure);
        return FxWait.onFx(task::getValue);
    }

    private Path sample(int n) {
        return Samples.file(Samples.list().get(n - 1));
    }

    /** Opens through the main window's open path (menu and drag and drop use it) and waits for the overlays. */
    private Snapshot openAndWait(FxRobot robot, Path image) {
        robot.interact(() -> window.openImage(image));
        FxWait.until(60, () -> model.snapshot().get() != null && model.source().get().file().equals(image));
        return model.snapshot().get();
    }

    private ImagePanel panel(FxRobot robot, String id) {
        return robot.lookup("#" + id).queryAs(ImagePanel.class);
    }

    @Test
    void startsWithTheSampleModelsAndItsSamplesOnShow(FxRobot robot) {
        FxWait.until(30, () -> model.modelState().get() == FeaturesViewModel.ModelState.READY);
        assertEquals(TinyModels.WIDTH, model.backboneInfo().get().channels());
        assertEquals(Samples.list().size(), robot.lookup(".sample-tile").queryAll().size());
        assertTrue(Samples.list().size() >= 6, "the six bundled ShapesWorld scenes");
        assertTrue(robot.lookup("Drop an image here").tryQuery().isPresent());
        assertFalse(model.canExport().get());
    }

    @Test
    void anOpenedImageShowsBothOverlaysAndItsTimings(FxRobot robot) {
        Path image = sample(1);
        Snapshot s = openAndWait(robot, image);
        assertEquals("shapes-01.png", s.source().name());
        assertEquals(448, s.source().width());
        assertEquals(TinyModels.INPUT, s.inputWidth());
        assertEquals(TinyModels.INPUT / 16, s.tokensWide());
        assertEquals(List.of("uplift"), s.upsampled().stream().map(Snapshot.Layer::spec).toList());
        assertEquals(TinyModels.INPUT, s.upsampled().get(0).pca().getWidth(), "upsampled to the input's pixels");
        assertFalse(s.backboneReused());
        for (String stage : List.of("resize", "backbone", "pca")) assertTrue(s.millis(stage) >= 0, stage);

        assertNotNull(panel(robot, "panel-image").baseProperty().get());
        ImagePanel low = panel(robot, "panel-lowres");
        ImagePanel up = panel(robot, "panel-upsampled");
        assertEquals(8, low.topProperty().get().getWidth(), 0, "one pixel per token, enlarged on screen");
        assertEquals(TinyModels.INPUT, up.topProperty().get().getWidth(), 0);
        assertNull(up.statusProperty().get());
        assertEquals("UPLiFT", up.captionProperty().get());
        assertTrue(up.detailProperty().get().endsWith("ms"), up.detailProperty().get());
        HBox timings = robot.lookup("#timings").queryAs(HBox.class);
        String chips = timings.getChildren().stream().map(n -> ((Label) n).getText()).toList().toString();
        for (String stage : List.of("decode", "resize", "backbone", "UPLiFT", "PCA", "ready in")) assertTrue(chips.contains(stage), chips);
        assertTrue(model.readyMillis().get() > 0);
        assertTrue(model.canExport().get());
        System.out.printf("features workspace: open to overlays %.0f ms (tiny models)%n", model.readyMillis().get());
    }

    @Test
    void switchingAndComparingUpsamplersReusesTheBackboneFeatures(FxRobot robot) {
        Snapshot first = openAndWait(robot, sample(3));
        ComboBox<Choice> chooser = robot.lookup("#upsampler-chooser").queryComboBox();
        Choice bilinear = model.upsamplers().stream().filter(c -> "bilinear".equals(c.spec())).findFirst().orElseThrow();
        robot.interact(() -> chooser.setValue(bilinear));
        FxWait.until(30, () -> model.snapshot().get() != first && model.snapshot().get() != null);
        Snapshot second = model.snapshot().get();
        assertEquals("bilinear", second.upsampled().get(0).spec());
        assertTrue(second.backboneReused(), "only the upsampler ran");
        assertEquals(first.millis("backbone"), second.millis("backbone"), "the backbone's time is the one measured before");
        assertEquals("Bilinear", panel(robot, "panel-upsampled").captionProperty().get());

        ComboBox<Choice> compare = robot.lookup("#comparison-chooser").queryComboBox();
        Choice uplift = model.comparisons().stream().filter(c -> "uplift".equals(c.spec())).findFirst().orElseThrow();
        List<String> names = compare.getItems().stream().map(Choice::label).toList();
        assertTrue(names.containsAll(List.of("UPLiFT", "Bilinear", "Nearest", "LiFT-style", "JBU-style", "Cross-attention")), names.toString());
        robot.interact(() -> compare.setValue(uplift));
        FxWait.until(30, () -> model.snapshot().get() != second && model.snapshot().get() != null);
        Snapshot both = model.snapshot().get();
        assertEquals(List.of("bilinear", "uplift"), both.upsampled().stream().map(Snapshot.Layer::spec).toList());
        assertTrue(both.upsampled().get(0).reused(), "bilinear was computed before");
        assertFalse(both.upsampled().get(1).reused());
        ImagePanel comparePanel = panel(robot, "panel-compare");
        assertTrue(comparePanel.isVisible() && comparePanel.getScene() != null);
        assertEquals("UPLiFT", comparePanel.captionProperty().get());
        assertNotNull(comparePanel.topProperty().get());
        // the two upsamplers' outputs differ, in the same PCA colours
        assertFalse(sameImage(both.upsampled().get(0).pca(), both.upsampled().get(1).pca()));
    }

    @Test
    void clickingAPixelShowsItsSimilarityMapsAtPixelDensity(FxRobot robot) {
        openAndWait(robot, sample(2));
        assertTrue(robot.lookup("#panel-similarity-upsampled").tryQuery().isEmpty(), "no similarity row before a click");
        robot.clickOn("#panel-upsampled");
        FxWait.until(30, () -> model.similarity().get() != null);
        var maps = model.similarity().get();
        assertNotNull(model.pixel().get());
        ImagePanel low = panel(robot, "panel-similarity-lowres");
        ImagePanel dense = panel(robot, "panel-similarity-upsampled");
        assertEquals(8, low.topProperty().get().getWidth(), 0, "one value per token");
        assertEquals(TinyModels.INPUT, dense.topProperty().get().getWidth(), 0, "one value per input pixel");
        assertEquals(1.0, maps.high());
        assertTrue(maps.low() < 1 && maps.low() >= -1);
        // the clicked pixel's own feature is the most similar: top of the colour scale
        int top = SimilarityMapsColours.top();
        assertEquals(top, maps.dense().get(0).getRGB(maps.inputX(), maps.inputY()) & 0xffffff);
        assertTrue(robot.lookup("#similarity-legend").tryQuery().isPresent());
        assertNotNull(panel(robot, "panel-lowres").markerCellProperty().get(), "the token under the pixel is outlined");

        robot.interact(() -> model.clearPixel());
        assertNull(model.similarity().get());
        assertTrue(robot.lookup("#panel-similarity-upsampled").tryQuery().isEmpty());
    }

    @Test
    void exportWritesThePcaImagesAndTheDenseFeatures(FxRobot robot, @TempDir Path out) throws Exception {
        openAndWait(robot, sample(4));
        robot.interact(() -> model.comparison().set(model.comparisons().stream().filter(c -> "bilinear".equals(c.spec())).findFirst().orElseThrow()));
        FxWait.until(30, () -> model.snapshot().get() != null && model.snapshot().get().upsampled().size() == 2);
        robot.interact(() -> model.selectPixel(100, 200));
        FxWait.until(30, () -> model.similarity().get() != null);
        Path folder = out.resolve("export");
        Task<List<Path>>[] task = new Task[1];
        robot.interact(() -> task[0] = features.exportTo(folder));
        List<Path> files = done(task[0]);
        for (String name : List.of(FeatureSession.INPUT, FeatureSession.LOW_RES_PCA, FeatureSession.UPSAMPLED_PCA, FeatureSession.OVERLAY,
                FeatureSession.DENSE_FEATURES, FeatureSession.LOW_RES_SIMILARITY, FeatureSession.UPSAMPLED_SIMILARITY,
                "compare_" + FeatureSession.UPSAMPLED_PCA, "compare_" + FeatureSession.OVERLAY, "compare_" + FeatureSession.DENSE_FEATURES,
                FeatureSession.SUMMARY)) {
            assertTrue(files.contains(folder.resolve(name)) && Files.size(folder.resolve(name)) > 0, name);
        }
        for (String png : List.of(FeatureSession.LOW_RES_PCA, FeatureSession.UPSAMPLED_PCA, FeatureSession.OVERLAY)) {
            BufferedImage img = ImageIO.read(folder.resolve(png).toFile());
            assertEquals(TinyModels.INPUT, img.getWidth(), png);
        }
        Map<String, Shape> shapes = SafeTensors.shapes(folder.resolve(FeatureSession.DENSE_FEATURES));
        assertEquals(new Shape(1, TinyModels.WIDTH, TinyModels.INPUT, TinyModels.INPUT), shapes.get("features"));
        assertEquals(new Shape(1, TinyModels.WIDTH, 8, 8), shapes.get("low_res"));
        String summary = Files.readString(folder.resolve(FeatureSession.SUMMARY));
        assertTrue(summary.contains("\"upsample_ms\"") && summary.contains("shapes-04.png") && summary.contains("\"bilinear\""), summary);
        try (var listing = Files.list(folder)) {
            assertTrue(listing.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }
        FxWait.until(10, () -> model.notice(FeaturesViewModel.Topic.EXPORT) != null
                && model.notice(FeaturesViewModel.Topic.EXPORT).text().startsWith("Exported " + files.size() + " files"));
    }

    @Test
    void aFileThatIsNotAnImageGetsTheErrorDialogAndTheShownImageStays(FxRobot robot, @TempDir Path dir) throws IOException {
        Snapshot shown = openAndWait(robot, sample(5));
        Path fake = Files.writeString(dir.resolve("notes.png"), "not a picture");
        robot.interact(() -> window.openImage(fake));
        DialogPane pane = errorDialog(robot);
        assertEquals("Open image failed", pane.getHeaderText());
        assertTrue(pane.getContentText().contains(fake.toString()) && pane.getContentText().contains("is not an image"), pane.getContentText());
        robot.clickOn("OK");
        assertSame(shown, model.snapshot().get(), "what was on show is kept");
        assertEquals("shapes-05.png", model.source().get().name());
    }

    @Test
    void anImageThatClaimsToBeHugeButCannotBeDecodedIsRefusedClearly(FxRobot robot, @TempDir Path dir) throws IOException {
        Path huge = dir.resolve("huge.png");
        Files.write(huge, pngHeaderOnly(20000, 20000));
        robot.interact(() -> window.openImage(huge));
        DialogPane pane = errorDialog(robot);
        assertTrue(pane.getContentText().contains(huge.toString()) && pane.getContentText().contains("truncated or corrupt"), pane.getContentText());
        robot.clickOn("OK");
        assertNull(model.source().get());
    }

    @Test
    void anImageAboveThePixelLimitIsResizedAndTheUserIsTold(FxRobot robot, @TempDir Path dir) throws IOException {
        Path big = dir.resolve("big.png");
        BufferedImage img = new BufferedImage(1600, 1000, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 1000; y++) for (int x = 0; x < 1600; x++) img.setRGB(x, y, x < 800 ? 0x3366cc : 0xee8833);
        ImageIO.write(img, "png", big.toFile());
        robot.interact(() -> model.pixelLimit().set(1L << 20));
        Snapshot s = openAndWait(robot, big);
        FeatureSource source = s.source();
        assertTrue(source.resized());
        assertEquals(1600, source.originalWidth());
        assertTrue((long) source.width() * source.height() <= 1L << 20);
        FxWait.until(10, () -> robot.lookup("#notice-image").tryQuery().isPresent());
        FeaturesViewModel.Notice notice = model.notice(FeaturesViewModel.Topic.IMAGE);
        assertTrue(notice.warning() && notice.text().contains("1600 × 1000") && notice.text().contains("1 MP"), notice.text());
        // raising the limit decodes the file again at full size
        robot.interact(() -> model.pixelLimit().set(4L << 20));
        FxWait.until(30, () -> model.snapshot().get() != null && !model.snapshot().get().source().resized());
        assertEquals(1600, model.source().get().width());
        assertNull(model.notice(FeaturesViewModel.Topic.IMAGE), "the notice went with the resized image");
    }

    @Test
    void aTorchScriptBackboneReplacesTheSampleAndTheSampleUpliftFallsBackToBilinear(FxRobot robot) {
        Path exported = Path.of("src/test/resources/backbones/tiny_backbone.pt").toAbsolutePath();
        Snapshot before = openAndWait(robot, sample(3));
        robot.interact(() -> model.openBackbone(exported));
        FxWait.until(60, () -> model.snapshot().get() != null && model.snapshot().get() != before);
        Snapshot after = model.snapshot().get();
        assertEquals(8, after.channels());
        assertEquals("bilinear", after.upsampled().get(0).spec(), "the sample UPLiFT does not fit 8 channels at patch 4");
        FeaturesViewModel.Notice notice = model.notice(FeaturesViewModel.Topic.MODELS);
        assertTrue(notice != null && notice.warning() && notice.text().contains("Showing bilinear"), String.valueOf(notice));
        assertEquals("tiny_backbone.pt", robot.lookup("#backbone-chooser").queryComboBox().getValue().toString());
        assertTrue(model.backbones().stream().anyMatch(c -> exported.toString().equals(c.spec())), "listed for later");
        // and back to the sample
        robot.interact(() -> model.chooseBackbone(FeaturesViewModel.SAMPLE_BACKBONE));
        FxWait.until(60, () -> model.snapshot().get() != null && model.snapshot().get().channels() == TinyModels.WIDTH);
    }

    @Test
    void aBackboneFileThatDoesNotLoadGetsTheErrorDialogAndTheSampleStays(FxRobot robot, @TempDir Path dir) throws IOException {
        Snapshot shown = openAndWait(robot, sample(6));
        Path broken = Files.writeString(dir.resolve("dinov2.pt"), "not a TorchScript archive");
        robot.interact(() -> model.openBackbone(broken));
        DialogPane pane = errorDialog(robot);
        assertEquals("Load backbone failed", pane.getHeaderText());
        assertTrue(pane.getContentText().contains(broken.toString()), pane.getContentText());
        robot.clickOn("OK");
        FxWait.until(10, () -> model.modelState().get() == FeaturesViewModel.ModelState.READY);
        assertEquals(FeaturesViewModel.SAMPLE_BACKBONE, model.backbone().get());
        assertEquals(FeaturesViewModel.SAMPLE_BACKBONE, robot.lookup("#backbone-chooser").queryComboBox().getValue());
        assertSame(shown, model.snapshot().get());
    }

    @Test
    void overlayModeBlendsTheColoursOverTheImage(FxRobot robot) {
        openAndWait(robot, sample(1));
        robot.clickOn("#view-overlay");
        ImagePanel up = panel(robot, "panel-upsampled");
        assertNotNull(up.baseProperty().get(), "the image under the colours");
        assertEquals(FeaturesViewModel.DEFAULT_OPACITY, up.topOpacityProperty().get(), 1e-9);
        robot.interact(() -> model.opacity().set(0.25));
        assertEquals(0.25, up.topOpacityProperty().get(), 1e-9);
        assertTrue(robot.lookup("#opacity-slider").query().isVisible());
        robot.clickOn("#view-side-by-side");
        assertNull(up.baseProperty().get());
    }

    @Test
    void zoomAndPanAreSharedByEveryPanel(FxRobot robot) {
        openAndWait(robot, sample(2));
        var viewport = features.viewport();
        double fit = viewport.scale().get();
        robot.clickOn("#zoom-100");
        assertEquals(1.0, viewport.scale().get(), 1e-9);
        assertFalse(viewport.fitted().get());
        robot.moveTo("#panel-lowres").scroll(javafx.geometry.VerticalDirection.UP);
        assertTrue(viewport.scale().get() != 1.0, "scrolling zooms");
        robot.clickOn("#zoom-fit");
        assertEquals(fit, viewport.scale().get(), 1e-9);
        assertTrue(viewport.fitted().get());
    }

    private static DialogPane errorDialog(FxRobot robot) {
        FxWait.until(30, () -> robot.lookup(".loupe-error").tryQuery().isPresent());
        return robot.lookup(".loupe-error").queryAs(DialogPane.class);
    }

    private static boolean sameImage(BufferedImage a, BufferedImage b) {
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) return false;
        for (int y = 0; y < a.getHeight(); y++) for (int x = 0; x < a.getWidth(); x++) if (a.getRGB(x, y) != b.getRGB(x, y)) return false;
        return true;
    }

    /** A PNG signature and IHDR chunk for a {@code w x h} RGB image, and no pixel data. */
    static byte[] pngHeaderOnly(int w, int h) {
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        crc.update(ihdr.array());
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(8 + 4 + 4 + 13 + 4);
        out.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        out.putInt(13).put("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put(ihdr.array()).putInt((int) crc.getValue());
        return out.array();
    }

    /** The colour of similarity 1. */
    private static final class SimilarityMapsColours {
        static int top() {
            return dev.loupe.app.features.SimilarityMaps.COLOURS.rgb(1);
        }
    }
}
