package dev.loupe.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.app.frontier.FrontierChart;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.Component;
import dev.loupe.ecad.ScheduleFile;
import dev.loupe.search.Evaluation;
import dev.loupe.search.FrontierRunFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.geometry.Point2D;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.image.ImageView;
import javafx.stage.Stage;
import org.jfree.chart.entity.XYItemEntity;
import org.jfree.chart.fx.ChartViewer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The Frontier workspace headless: a small finished run (tiny random model, schedules scored by the real evaluator)
 * opens through the workspace's open path; clicking a point on the chart and a row of the points table selects it,
 * renders it against the uncached model and shows its bits; its export imports back identically, and bad files get
 * the error dialog. An {@link FxStallProbe} watches the FX thread all along.
 */
@ExtendWith(ApplicationExtension.class)
class FrontierWorkspaceTest {
    @TempDir static Path shared;
    static Path model;
    static Path runDir;

    private MainWindowController window;
    private FrontierController frontier;
    private Workbench workbench;

    @BeforeAll
    static void finishedRun() throws Exception {
        System.setProperty("loupe.ephemeral", "true");
        System.setProperty("loupe.frontier.renderRepeats", "1");
        model = FrontierRunFixture.tinyModel(shared.resolve("tiny-dit"));
        runDir = FrontierRunFixture.finishedRun(shared.resolve("run"), model);
    }

    @Start
    void start(Stage stage) {
        workbench = new Workbench();
        window = LoupeApp.show(stage, workbench);
        frontier = window.frontier();
    }

    @AfterEach
    void close() {
        workbench.close();
    }

    private void openTheRun(FxRobot robot) {
        robot.clickOn("#tab-frontier");
        robot.interact(() -> frontier.openRun(runDir));
        FxWait.until(60, () -> frontier.run() != null && !frontier.chart().series(FrontierChart.Kind.FRONT).isEmpty());
    }

    @Test
    void clickingAFrontPointRendersItAndShowsItsSchedule(FxRobot robot) throws Exception {
        try (FxStallProbe probe = new FxStallProbe()) {
            openTheRun(robot);
            assertEquals(2, frontier.run().generationsDone());
            assertEquals(2, frontier.hypervolumeChart().points(), "hypervolume per generation");
            assertEquals(3, frontier.chart().series(FrontierChart.Kind.BASELINE).size(), "no-cache, FORA 2 and 3");
            Label runLabel = robot.lookup("#frontier-run").queryAs(Label.class);
            assertTrue(runLabel.getText().contains("Run " + runDir.getFileName() + " · ") && runLabel.getText().contains("2 of 2 generations"),
                    runLabel.getText());
            assertEquals(runDir.toAbsolutePath().toString(), runLabel.getTooltip().getText(), "the full path on hover");

            // click a front point on the chart canvas where JFreeChart drew it
            ChartViewer viewer = robot.lookup("#frontier-chart-viewer").queryAs(ChartViewer.class);
            Evaluation[] target = new Evaluation[1];
            Point2D[] at = new Point2D[1];
            robot.interact(() -> {
                viewer.getCanvas().draw();
                org.jfree.chart.entity.EntityCollection entities = viewer.getRenderingInfo().getEntityCollection();
                for (Object o : entities.getEntities()) {
                    if (o instanceof XYItemEntity item && item.getSeriesIndex() == FrontierChart.Kind.FRONT.ordinal()) {
                        Evaluation e = frontier.chart().evaluationAt(item.getSeriesIndex(), item.getItem());
                        if (e.schedule().cachedCount() == 0 && target[0] != null) continue;
                        java.awt.geom.Rectangle2D b = item.getArea().getBounds2D();
                        // a baseline of equal cost and reward (FORA 2 and 3 tie on 4 steps) is drawn over it
                        if (!(entities.getEntity(b.getCenterX(), b.getCenterY()) instanceof XYItemEntity top)
                                || !e.equals(frontier.chart().evaluationAt(top.getSeriesIndex(), top.getItem()))) continue;
                        target[0] = e;
                        at[0] = viewer.getCanvas().localToScreen(b.getCenterX(), b.getCenterY());
                    }
                }
            });
            assertNotNull(target[0], "the chart drew the front");
            robot.clickOn(at[0]);
            FxWait.until(60, () -> frontier.selected() != null);
            assertEquals(target[0], frontier.selected());
            assertEquals(java.util.List.of(target[0]), frontier.chart().series(FrontierChart.Kind.SELECTED));

            // the schedule view: one heatmap per component, steps wide and blocks high, with its count
            CacheSchedule s = target[0].schedule();
            for (Component c : Component.values()) {
                ImageView heatmap = robot.lookup("#schedule-" + c.key()).queryAs(ImageView.class);
                double w = heatmap.getImage().getWidth(), h = heatmap.getImage().getHeight();
                assertEquals((double) FrontierRunFixture.STEPS / FrontierRunFixture.BLOCKS, w / h, 1e-9);
                String count = robot.lookup("#schedule-" + c.key() + "-count").queryAs(Label.class).getText();
                assertTrue(count.startsWith(c.key() + "\n" + s.recomputeCount(c) + " of " + FrontierRunFixture.STEPS * FrontierRunFixture.BLOCKS), count);
            }

            // the render panel: schedule and uncached images, their difference, times and speedup
            FxWait.until(60, () -> frontier.lastRender() != null);
            ImageView cached = robot.lookup("#render-cached").queryAs(ImageView.class);
            assertNotNull(cached.getImage());
            assertTrue(cached.getImage().getWidth() >= 32, "scaled up: " + cached.getImage().getWidth());
            assertNotNull(robot.lookup("#render-uncached").queryAs(ImageView.class).getImage());
            assertNotNull(robot.lookup("#render-difference").queryAs(ImageView.class).getImage());
            String timings = robot.lookup("#render-timings").queryAs(Label.class).getText();
            assertTrue(timings.contains("speedup") && timings.contains("uncached"), timings);
            assertTrue(frontier.lastRender().cachedMs() > 0 && frontier.lastRender().uncachedMs() > 0);

            // a row of the points table selects too (and re-renders)
            robot.clickOn("#frontier-points-tab");
            TableView<?> table = robot.lookup("#frontier-points").queryAs(TableView.class);
            Evaluation other = frontier.chart().series(FrontierChart.Kind.BASELINE).get(1);
            int row = table.getItems().indexOf(other);
            assertTrue(row >= 0, "baselines are listed");
            robot.clickOn(robot.lookup(".table-row-cell").nth(row).queryAs(javafx.scene.Node.class));
            FxWait.until(60, () -> other.equals(frontier.selected()));
            FxWait.until(60, () -> frontier.lastRender() != null && frontier.renderTask() == null);
            assertTrue(robot.lookup("#schedule-name").queryAs(Label.class).getText().startsWith(other.name()));
            System.out.println("FX-thread responsiveness while opening, rendering and selecting: " + probe);
            assertTrue(probe.pulses() > 10, probe.toString());
        }
    }

    /**
     * Generations of the live search: enough that the click on Pause lands before the last one on a fast machine
     * (later generations of this tiny search are mostly schedules already scored, and take milliseconds).
     */
    private static final int LIVE_GENERATIONS = 10;

    @Test
    void aLiveSearchGrowsTheChartPausesResumesAndNeverStallsTheFxThread(FxRobot robot) throws Exception {
        System.setProperty("loupe.runs", shared.resolve("runs").toString());
        robot.clickOn("#tab-frontier");
        robot.interact(() -> {
            robot.lookup("#frontier-model").queryAs(javafx.scene.control.TextField.class).setText(model.toString());
            robot.lookup("#frontier-prompts").queryListView().getItems().setAll("a red circle on a plain white background",
                    "a blue square on a striped gray background");
            robot.lookup("#frontier-seeds").queryAs(javafx.scene.control.TextField.class).setText("0");
            robot.lookup("#frontier-population").queryAs(javafx.scene.control.Spinner.class).getValueFactory().setValue(4);
            robot.lookup("#frontier-generations").queryAs(javafx.scene.control.Spinner.class).getValueFactory().setValue(LIVE_GENERATIONS);
        });
        FxStallProbe idle = new FxStallProbe();
        Thread.sleep(2000);
        idle.close();
        System.out.println("FX thread idle (machine load as it is): " + idle);
        try (FxStallProbe probe = new FxStallProbe()) {
            robot.clickOn("#frontier-start");
            FxWait.until(60, () -> frontier.searchTask() != null);
            // pause after the first generation shows, then resume: the run folder carries on
            FxWait.until(60, () -> frontier.hypervolumeChart().points() >= 1);
            assertTrue(frontier.chart().series(FrontierChart.Kind.EVALUATED).size()
                    + frontier.chart().series(FrontierChart.Kind.BASELINE).size() > 0, "points after the first generation");
            robot.clickOn("#frontier-pause");
            FxWait.until(60, () -> frontier.searchTask() == null);
            assertFalse(robot.lookup("#frontier-resume").queryButton().isDisabled(), "Resume is offered after Pause");
            robot.clickOn("#frontier-resume");
            FxWait.until(60, () -> frontier.searchTask() == null && frontier.run() != null && frontier.run().finished());
            System.out.println("FX thread while the search ran (pause and resume included): " + probe);
            assertTrue(probe.maxMillis() < 1000, "the FX thread never waits on the search: " + probe);
        }
        assertEquals(LIVE_GENERATIONS, frontier.hypervolumeChart().points());
        assertEquals(LIVE_GENERATIONS, frontier.run().generationsDone());
        assertFalse(frontier.chart().series(FrontierChart.Kind.FRONT).isEmpty());
        assertTrue(frontier.chart().series(FrontierChart.Kind.FRONT).stream().allMatch(e -> Double.isFinite(e.measuredSpeedup())),
                () -> "the finished search timed every point of the front; status \""
                        + robot.lookup("#frontier-progress-text").queryAs(Label.class).getText() + "\", front "
                        + frontier.chart().series(FrontierChart.Kind.FRONT).stream()
                                .map(e -> e.name() + "=" + e.measuredSpeedup()).toList());
        assertTrue(robot.lookup("#frontier-progress-text").queryAs(Label.class).getText().startsWith("Finished"));
    }

    @Test
    void anExportedScheduleImportsBackIdentically(FxRobot robot) throws Exception {
        openTheRun(robot);
        Evaluation chosen = frontier.chart().series(FrontierChart.Kind.FRONT).stream()
                .filter(e -> e.schedule().cachedCount() > 0).findFirst().orElseThrow();
        robot.interact(() -> frontier.select(chosen));
        Path file = shared.resolve("exported-" + System.nanoTime() + ".json");
        robot.interact(() -> frontier.exportTo(file));
        FxWait.until(60, () -> Files.exists(file));
        ScheduleFile written = ScheduleFile.read(file);
        assertEquals(chosen.schedule(), written.schedule());
        assertEquals(chosen.name(), written.name());

        try (FxStallProbe probe = new FxStallProbe()) {
            robot.interact(() -> frontier.importSchedule(file));
            FxWait.until(60, () -> !frontier.imported().isEmpty());
            System.out.println("FX-thread responsiveness while an imported schedule is evaluated: " + probe);
        }
        Evaluation back = frontier.imported().get(0);
        assertEquals(chosen.schedule(), back.schedule());
        assertEquals(chosen.name(), back.name());
        assertEquals("imported", back.origin());
        assertEquals(chosen.weightMacs(), back.weightMacs());
        assertEquals(chosen.reward(), back.reward(), 1e-6, "the same evaluation as in the run");
        assertEquals(java.util.List.of(back), frontier.chart().series(FrontierChart.Kind.IMPORTED));
        assertEquals(back, frontier.selected());

        // export of the imported point: the same file again
        Path again = shared.resolve("again-" + System.nanoTime() + ".json");
        robot.interact(() -> frontier.exportTo(again));
        FxWait.until(60, () -> Files.exists(again));
        assertEquals(written.schedule(), ScheduleFile.read(again).schedule());
    }

    @Test
    void aMalformedOrMisShapedScheduleGetsTheErrorDialog(FxRobot robot, @TempDir Path dir) throws Exception {
        openTheRun(robot);
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{ \"cache_schedule\": { \"num_blocks\": 2, ");
        robot.interact(() -> frontier.importSchedule(broken));
        DialogPane pane = errorDialog(robot);
        assertEquals("Import broken.json failed", pane.getHeaderText());
        assertTrue(pane.getContentText().contains(broken.toString()), pane.getContentText());
        robot.clickOn("OK");

        Path wrong = dir.resolve("pixart-shape.json");
        ScheduleFile.builder(CacheSchedule.noCache(20, 28)).name("too big").build().write(wrong);
        robot.interact(() -> frontier.importSchedule(wrong));
        pane = errorDialog(robot);
        assertTrue(pane.getContentText().contains(wrong.toString()), pane.getContentText());
        assertTrue(pane.getContentText().contains("20 steps x 28 blocks"), pane.getContentText());
        robot.clickOn("OK");
        assertTrue(frontier.imported().isEmpty());
    }

    private static DialogPane errorDialog(FxRobot robot) throws Exception {
        FxWait.until(60, () -> robot.lookup(".loupe-error").tryQuery().isPresent());
        return robot.lookup(".loupe-error").queryAs(DialogPane.class);
    }
}
