package dev.loupe.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.models.CardMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.scene.control.DialogPane;
import javafx.scene.control.ListView;
import javafx.scene.control.TabPane;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeTableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The main window opens headless, switches workspaces and reports a bad image in the error dialog. */
@ExtendWith(ApplicationExtension.class)
class MainWindowTest {
    private MainWindowController controller;
    private Workbench workbench;

    @BeforeAll
    static void ephemeral() {
        System.setProperty("loupe.ephemeral", "true");
    }

    @Start
    void start(Stage stage) {
        workbench = new Workbench();
        controller = LoupeApp.show(stage, workbench);
    }

    @AfterEach
    void close() {
        workbench.close();
    }

    @Test
    void switchesBetweenTheThreeWorkspaces(FxRobot robot) {
        TabPane tabs = robot.lookup(".workspaces").queryAs(TabPane.class);
        assertEquals("Features", tabs.getSelectionModel().getSelectedItem().getText());
        robot.clickOn("#tab-frontier");
        assertEquals("Frontier", tabs.getSelectionModel().getSelectedItem().getText());
        assertTrue(robot.lookup("Caching-schedule frontier").tryQuery().isPresent());
        robot.clickOn("#tab-models");
        assertEquals("Models", tabs.getSelectionModel().getSelectedItem().getText());
        assertTrue(robot.lookup("#model-list").tryQuery().isPresent());
        robot.clickOn("#tab-features");
        assertEquals("Features", tabs.getSelectionModel().getSelectedItem().getText());
    }

    @Test
    void aSampleModelsCardShowsItsFiguresAsATree(FxRobot robot) throws Exception {
        robot.clickOn("#tab-models");
        ListView<ModelsController.Entry> list = robot.lookup("#model-list").queryListView();
        ModelsController.Entry dit = FxWait.forValue(30, () -> list.getItems().stream()
                .filter(e -> e.title().equals("sample-dit")).findFirst().orElse(null));
        robot.interact(() -> list.getSelectionModel().select(dit));
        robot.clickOn("Measured after training");
        @SuppressWarnings("unchecked")
        TreeTableView<CardMetrics.Metric> tree = robot.lookup("#card-metrics").queryAs(TreeTableView.class);
        TreeItem<CardMetrics.Metric> adherence = tree.getRoot().getChildren().stream()
                .filter(i -> i.getValue().name().equals("prompt adherence")).findFirst().orElseThrow();
        assertTrue(adherence.isExpanded(), "first-level groups are open");
        TreeItem<CardMetrics.Metric> renders = adherence.getChildren().stream()
                .filter(i -> i.getValue().name().equals("renders")).findFirst().orElseThrow();
        assertFalse(renders.isExpanded(), "deeper groups start folded");
        double reward = ((ModelsController.SampleModel) dit).card().metrics().getAsJsonObject("prompt_adherence")
                .getAsJsonObject("renders").get("mean_reward").getAsDouble();
        assertTrue(renders.getChildren().stream().anyMatch(i -> i.getValue().name().equals("mean reward")
                && Double.parseDouble(i.getValue().value()) == reward));

        double open = tree.getPrefHeight();
        robot.interact(() -> tree.getRoot().getChildren().forEach(i -> i.setExpanded(false)));
        assertTrue(tree.getPrefHeight() < open, "folding the groups shortens the tree: " + tree.getPrefHeight() + " vs " + open);
        assertTrue(tree.getPrefHeight() >= tree.getExpandedItemCount() * tree.getFixedCellSize(),
                "every open row fits without an inner scroll bar");
    }

    @Test
    void aTruncatedWeightFileGetsTheErrorDialogAndTheWholeOneItsTensors(FxRobot robot, @TempDir Path dir) throws Exception {
        Path whole = Path.of("sample-models/reward/reward.safetensors").toAbsolutePath();
        Path cut = dir.resolve("cut.safetensors");
        byte[] bytes = Files.readAllBytes(whole);
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        robot.interact(() -> controller.openModel(cut));
        FxWait.until(20, () -> robot.lookup(".loupe-error").tryQuery().isPresent());
        DialogPane pane = robot.lookup(".loupe-error").queryAs(DialogPane.class);
        assertTrue(pane.getContentText().contains(cut.toString()), pane.getContentText());
        assertTrue(pane.getContentText().contains("is truncated"), pane.getContentText());
        robot.clickOn("OK");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(FxWait.onFx(() -> controller.models().entries().stream().noneMatch(e -> e.title().equals("cut.safetensors"))));

        robot.interact(() -> controller.openModel(whole));
        ModelsController.UserFile opened = FxWait.forValue(20, () -> controller.models().entries().stream()
                .filter(e -> e instanceof ModelsController.UserFile u && u.file().equals(whole))
                .map(ModelsController.UserFile.class::cast).findFirst().orElse(null));
        assertEquals(dev.loupe.tensor.SafeTensors.describe(whole).keySet(), opened.tensors().keySet());
    }

    @Test
    void aTextFileRenamedPngGetsTheErrorDialog(FxRobot robot, @TempDir Path dir) throws Exception {
        Path fake = dir.resolve("holiday.png");
        Files.writeString(fake, "this is a text file, not a picture");
        robot.interact(() -> controller.openImage(fake));
        FxWait.until(20, () -> robot.lookup(".loupe-error").tryQuery().isPresent());
        DialogPane pane = robot.lookup(".loupe-error").queryAs(DialogPane.class);
        assertEquals("Open image failed", pane.getHeaderText());
        assertTrue(pane.getContentText().contains(fake.toString()), pane.getContentText());
        assertTrue(pane.getContentText().contains("is not an image"), pane.getContentText());
        assertTrue(pane.getExpandableContent() != null && !pane.isExpanded(), "details are folded away");
        robot.clickOn("OK");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup(".loupe-error").tryQuery().isEmpty());
    }

    @Test
    void theCommandLineStartupOpensAnImageAndTheChosenWorkspace(FxRobot robot) throws Exception {
        Path image = Path.of("assets/samples/shapes-01.png").toAbsolutePath();
        robot.interact(() -> controller.startWith(new LoupeApp.Startup(LoupeApp.WorkspaceName.models, java.util.List.of(image))));
        TabPane tabs = robot.lookup(".workspaces").queryAs(TabPane.class);
        assertEquals("Models", tabs.getSelectionModel().getSelectedItem().getText());
        FxWait.until(60, () -> image.equals(controller.features().currentImage()));
    }
}
