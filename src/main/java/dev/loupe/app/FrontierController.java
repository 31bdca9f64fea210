package dev.loupe.app;

import dev.loupe.LoupeException;
import dev.loupe.app.frontier.Coalescer;
import dev.loupe.app.frontier.EtaProgress;
import dev.loupe.app.frontier.FrontierChart;
import dev.loupe.app.frontier.FrontierPoints;
import dev.loupe.app.frontier.FxRasters;
import dev.loupe.app.frontier.HypervolumeChart;
import dev.loupe.app.frontier.RenderComparison;
import dev.loupe.app.frontier.RenderSession;
import dev.loupe.app.frontier.RunView;
import dev.loupe.app.frontier.SearchForm;
import dev.loupe.app.frontier.ScheduleHeatmap;
import dev.loupe.app.frontier.ScheduleTransfer;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.Component;
import dev.loupe.models.LoupeHome;
import dev.loupe.search.Evaluation;
import dev.loupe.search.Generation;
import dev.loupe.search.Search;
import dev.loupe.search.SearchListener;
import dev.loupe.search.SearchRun;
import dev.loupe.search.SearchSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javafx.application.Platform;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;
import javafx.concurrent.WorkerStateEvent;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Spinner;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import org.jfree.chart.entity.XYItemEntity;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.fx.interaction.ChartMouseEventFX;
import org.jfree.chart.fx.interaction.ChartMouseListenerFX;

/**
 * The Frontier workspace: runs ECAD's schedule search (start, pause = stop resumably, resume, cancel), shows the
 * frontier growing after each generation, renders a clicked schedule against the uncached model, shows its bits,
 * and exports or imports schedule files. The chart, heatmaps and rendering live in {@code dev.loupe.app.frontier}.
 */
public final class FrontierController implements Workspace {
    private static final int RENDER_SCALE = 5;
    private static final int HEATMAP_CELL = 4;
    private static final int RENDER_REPEATS = Integer.getInteger("loupe.frontier.renderRepeats", 3);

    private final Workbench workbench;
    private final FrontierChart chart = new FrontierChart();
    private final HypervolumeChart hypervolume = new HypervolumeChart();
    private final RenderSession renders = new RenderSession();
    private final ObjectProperty<RunView> run = new SimpleObjectProperty<>();
    private final ObservableList<Evaluation> imported = FXCollections.observableArrayList();
    private final ObjectProperty<Evaluation> selected = new SimpleObjectProperty<>();
    private final ReadOnlyBooleanWrapper canExport = new ReadOnlyBooleanWrapper(false);
    private final ObjectProperty<Task<?>> searchTask = new SimpleObjectProperty<>();
    private final ObjectProperty<Task<?>> renderTask = new SimpleObjectProperty<>();
    private final ReadOnlyObjectWrapper<RenderComparison.Result> rendered = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyBooleanWrapper paused = new ReadOnlyBooleanWrapper(false);
    // a generation's view can reach the FX thread after the finished run's: once the task is over it is stale
    private final Coalescer<RunView> generations = new Coalescer<>(view -> {
        if (searchTask.get() != null) showRun(view);
    }, Platform::runLater);

    @FXML private BorderPane root;
    @FXML private Label runLabel;
    @FXML private TextField modelField;
    @FXML private ListView<String> promptList;
    @FXML private TextField seedsField;
    @FXML private Spinner<Integer> populationSpinner;
    @FXML private Spinner<Integer> generationsSpinner;
    @FXML private Button startButton;
    @FXML private Button pauseButton;
    @FXML private Button resumeButton;
    @FXML private Button cancelButton;
    @FXML private ProgressBar progressBar;
    @FXML private Label progressLabel;
    @FXML private Button importButton;
    @FXML private StackPane hypervolumeHolder;
    @FXML private StackPane chartHolder;
    @FXML private TableView<Evaluation> pointsTable;
    @FXML private ComboBox<String> promptChooser;
    @FXML private TextField renderSeed;
    @FXML private Button renderButton;
    @FXML private Button renderCancel;
    @FXML private ImageView cachedView;
    @FXML private ImageView uncachedView;
    @FXML private ImageView differenceView;
    @FXML private Label renderTimings;
    @FXML private Label scheduleName;
    @FXML private HBox heatmaps;
    @FXML private Button exportButton;

    private ChartViewer chartViewer;
    private SearchForm form;

    public FrontierController(Workbench workbench) {
        this.workbench = workbench;
    }

    @FXML
    private void initialize() {
        workbench.closeWith(renders);
        form = new SearchForm(modelField, promptList, seedsField, populationSpinner, generationsSpinner);
        form.showDefaults(LoupeHome.sampleModels().resolve("sample-dit"));
        promptChooser.setItems(form.prompts());
        if (!promptList.getItems().isEmpty()) promptChooser.setValue(promptList.getItems().get(0));

        chartViewer = new ChartViewer(chart.chart());
        chartViewer.setId("frontier-chart-viewer");
        chartViewer.addChartMouseListener(new ChartMouseListenerFX() {
            @Override
            public void chartMouseClicked(ChartMouseEventFX event) {
                if (event.getEntity() instanceof XYItemEntity item) {
                    Evaluation e = chart.evaluationAt(item.getSeriesIndex(), item.getItem());
                    if (e != null) select(e);
                }
            }

            @Override
            public void chartMouseMoved(ChartMouseEventFX event) {}
        });
        chartHolder.getChildren().setAll(chartViewer);
        ChartViewer hv = new ChartViewer(hypervolume.chart());
        hv.setId("frontier-hypervolume-viewer");
        hypervolumeHolder.getChildren().setAll(hv);

        buildPointsTable();
        bindButtons();
        run.addListener((o, old, now) -> {
            refreshPoints();
            describeRun(now);
        });
        imported.addListener((javafx.collections.ListChangeListener<Evaluation>) c -> refreshPoints());
        selected.addListener((o, old, now) -> showSelection(now));
        canExport.bind(selected.isNotNull());
        showSelection(null);
        applyStartupOptions();
    }

    // --- the search -------------------------------------------------------------------------------------------

    @FXML
    private void start() {
        SearchSettings settings;
        try {
            settings = form.settings();
        } catch (LoupeException e) {
            workbench.showError("Start search", e);
            return;
        }
        Path folder = newRunFolder();
        imported.clear();
        selected.set(null);
        showRun(new RunView(folder, settings, List.of(), List.of(), List.of(), List.of()));
        runSearch(settings, folder, false);
    }

    /** Starts (or, with {@code resume}, continues) the search in {@code folder}; the chart follows each generation. */
    public Task<?> runSearch(SearchSettings settings, Path folder, boolean resume) {
        if (searchTask.get() != null) return searchTask.get();
        paused.set(false);
        SearchListener listener = new SearchListener() {
            @Override
            public void evaluated(Evaluation e, int done, int total) {}

            @Override
            public void generationFinished(Generation g, SearchRun runSoFar) {
                generations.post(RunView.of(folder, runSoFar));
            }
        };
        Task<RunView> task = workbench.tasks().submit(resume ? "Resume search" : "Search",
                progress -> RunView.of(folder, new Search(settings, folder).run(resume, new EtaProgress(progress), listener)),
                finished -> {
                    searchTask.set(null);
                    showRun(finished);
                    progressLabel.textProperty().unbind();
                    progressLabel.setText(finished.finished() ? "Finished: " + finished.generationsDone() + " generations."
                            : "Stopped after " + finished.generationsDone() + " generations; Resume continues.");
                    paused.set(!finished.finished());
                });
        // added handlers: the task runner's own (status bar, error dialog) stay in place
        task.addEventHandler(WorkerStateEvent.WORKER_STATE_CANCELLED, e -> stoppedByUser());
        task.addEventHandler(WorkerStateEvent.WORKER_STATE_FAILED, e -> {
            searchTask.set(null);
            progressBar.progressProperty().unbind();
            progressLabel.textProperty().unbind();
            progressLabel.setText("The search failed: " + LoupeException.userMessage(task.getException()));
        });
        searchTask.set(task);
        progressBar.progressProperty().bind(task.progressProperty());
        progressLabel.textProperty().bind(task.messageProperty());
        return task;
    }

    private void stoppedByUser() {
        searchTask.set(null);
        progressBar.progressProperty().unbind();
        progressLabel.textProperty().unbind();
        RunView now = run.get();
        progressLabel.setText(paused.get() ? "Paused; Resume continues the run in " + (now == null ? "its folder" : now.folder())
                : "Cancelled. The run folder stays on disk; Open run… can continue it.");
        if (now != null) reloadRun(now.folder());
    }

    @FXML
    private void pause() {
        Task<?> t = searchTask.get();
        if (t == null) return;
        paused.set(true);
        t.cancel();
    }

    @FXML
    private void resume() {
        RunView now = run.get();
        if (now == null || searchTask.get() != null) return;
        // the run's own calibration and population; the generations as the form asks (a finished run is extended)
        int generations = Math.max(form.generations().getValue(), Math.max(1, now.generationsDone()));
        runSearch(now.settings().withPopulation(now.settings().population(), generations), now.folder(), true);
    }

    @FXML
    private void cancel() {
        Task<?> t = searchTask.get();
        paused.set(false);
        if (t != null) t.cancel();
    }

    public Task<?> searchTask() {
        return searchTask.get();
    }

    @FXML
    private void openRun() {
        FileDialogs.chooseFolder(workbench.window(), "Open search run", "frontier-run-dir").ifPresent(this::openRun);
    }

    /** Shows a run folder (finished or not); Resume continues an unfinished one. */
    public void openRun(Path folder) {
        if (searchTask.get() != null) {
            workbench.showError("Open run", new LoupeException("a search is running; pause or cancel it first"));
            return;
        }
        imported.clear();
        selected.set(null);
        workbench.tasks().submit("Open run", progress -> RunView.of(folder, SearchRun.open(folder)), view -> {
            showRun(view);
            fillForm(view.settings());
            paused.set(!view.finished());
            progressBar.progressProperty().unbind();
            progressBar.setProgress(view.settings().generations() == 0 ? 0 : (double) view.generationsDone() / view.settings().generations());
            progressLabel.setText(view.finished() ? "Finished run: " + view.generationsDone() + " generations."
                    : view.generationsDone() + " of " + view.settings().generations() + " generations done; Resume continues.");
        });
    }

    private void reloadRun(Path folder) {
        workbench.tasks().submit("Read run", progress -> RunView.of(folder, SearchRun.open(folder)), this::showRun);
    }

    private void showRun(RunView view) {
        run.set(view);
        String pick = System.getProperty("loupe.frontier.select");
        if (pick != null && selected.get() == null) {
            view.evaluations().stream().filter(e -> e.name().equals(pick)).findFirst().ifPresent(this::select);
        }
        hypervolume.show(view.hypervolumes());
    }

    private void describeRun(RunView view) {
        // the folder's name reads in the narrow panel; its full path is the tooltip
        runLabel.setText(view == null ? "No run yet: start a search or open a run folder."
                : String.format(Locale.ROOT, "Run %s · %d evaluated · %d of %d generations", view.folder().getFileName(),
                        view.evaluations().size(), view.generationsDone(), view.settings() == null ? 0 : view.settings().generations()));
        runLabel.setTooltip(view == null ? null : new Tooltip(view.folder().toAbsolutePath().toString()));
    }

    public RunView run() {
        return run.get();
    }

    private void refreshPoints() {
        FrontierPoints points = FrontierPoints.of(run.get(), imported);
        chart.show(points);
        Set<Evaluation> rows = new LinkedHashSet<>(points.front());
        rows.addAll(points.baselines());
        rows.addAll(points.imported());
        Evaluation keep = selected.get();
        pointsTable.getItems().setAll(rows);
        if (keep != null && rows.contains(keep)) pointsTable.getSelectionModel().select(keep);
    }

    public FrontierChart chart() {
        return chart;
    }

    public HypervolumeChart hypervolumeChart() {
        return hypervolume;
    }

    // --- the form ---------------------------------------------------------------------------------------------

    private void fillForm(SearchSettings s) {
        if (s == null) return;
        form.fill(s);
        if (!s.prompts().isEmpty()) promptChooser.setValue(s.prompts().get(0));
    }

    @FXML
    private void chooseModel() {
        FileDialogs.chooseFolder(workbench.window(), "Diffusion model folder", "frontier-model-dir").ifPresent(form::setModel);
    }

    @FXML
    private void addPrompt() {
        form.addPrompt();
    }

    @FXML
    private void removePrompt() {
        form.removeSelectedPrompt();
    }

    @FXML
    private void defaultPrompts() {
        form.defaultPrompts();
    }

    private void bindButtons() {
        var running = searchTask.isNotNull();
        startButton.disableProperty().bind(running);
        pauseButton.disableProperty().bind(running.not());
        cancelButton.disableProperty().bind(running.not());
        // Resume continues a paused or unfinished run, or extends a finished one when more generations are asked for
        resumeButton.disableProperty().bind(javafx.beans.binding.Bindings.createBooleanBinding(() -> {
            RunView now = run.get();
            if (searchTask.get() != null || now == null || now.settings() == null) return true;
            return !(paused.get() || form.generations().getValue() > now.generationsDone());
        }, run, paused, searchTask, form.generations().valueProperty()));
        importButton.disableProperty().bind(run.isNull());
        exportButton.disableProperty().bind(selected.isNull());
        renderButton.disableProperty().bind(selected.isNull().or(renderTask.isNotNull()));
        renderCancel.disableProperty().bind(renderTask.isNull());
        for (var c : form.fields()) {
            c.disableProperty().bind(running);
        }
    }

    // --- selection: render panel and schedule view ------------------------------------------------------------

    private void buildPointsTable() {
        pointsTable.getColumns().add(column("Schedule", Evaluation::name, 220));
        pointsTable.getColumns().add(column("From", Evaluation::origin, 110));
        pointsTable.getColumns().add(column("Speedup", e -> String.format(Locale.ROOT, "%.2fx%s", FrontierPoints.speedup(e),
                FrontierPoints.measured(e) ? "" : " (MACs)"), 110));
        pointsTable.getColumns().add(column("Reward", e -> String.format(Locale.ROOT, "%.4f", e.reward()), 90));
        pointsTable.getColumns().add(column("MACs", e -> FrontierPoints.humanMacs(e.weightMacs()), 100));
        pointsTable.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        pointsTable.getSelectionModel().selectedItemProperty().addListener((o, old, e) -> {
            if (e != null && e != selected.get()) select(e);
        });
    }

    private static TableColumn<Evaluation, String> column(String title, java.util.function.Function<Evaluation, String> value,
            double width) {
        TableColumn<Evaluation, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(value.apply(cell.getValue())));
        c.setPrefWidth(width);
        return c;
    }

    /** Selects a point: rings it, shows its schedule and renders it with the current prompt. */
    public void select(Evaluation e) {
        selected.set(e);
        if (e != null) render();
    }

    public Evaluation selected() {
        return selected.get();
    }

    private void showSelection(Evaluation e) {
        chart.select(e);
        if (e != null && pointsTable.getItems().contains(e)) pointsTable.getSelectionModel().select(e);
        heatmaps.getChildren().clear();
        if (e == null) {
            scheduleName.setText("No schedule selected: click a point on the chart or a row under Points.");
            return;
        }
        CacheSchedule s = e.schedule();
        scheduleName.setText(e.name() + " · " + ScheduleHeatmap.summary(s));
        for (Component c : Component.values()) {
            ImageView view = new ImageView(FxRasters.toImage(ScheduleHeatmap.of(s, c), cellScale(s)));
            view.setId("schedule-" + c.key());
            Label caption = new Label(ScheduleHeatmap.caption(s, c).replaceFirst(": ", "\n"));
            caption.setId("schedule-" + c.key() + "-count");
            caption.getStyleClass().add("key");
            caption.setWrapText(true);
            caption.setMaxWidth(Math.max(90, view.getImage().getWidth()));
            heatmaps.getChildren().add(new VBox(2, caption, view));
        }
    }

    private static int cellScale(CacheSchedule s) {
        return Math.max(1, Math.min(HEATMAP_CELL * 4, Math.min(120 / s.steps(), 80 / s.blocks())));
    }

    @FXML
    private void render() {
        Evaluation e = selected.get();
        RunView view = run.get();
        if (e == null || view == null || view.settings() == null) return;
        cancelRender();
        String prompt = promptChooser.getEditor().getText();
        if (prompt == null || prompt.isBlank()) prompt = promptChooser.getValue();
        if (prompt == null || prompt.isBlank()) {
            renderTimings.setText("Type a prompt (or pick a calibration prompt) to render.");
            return;
        }
        long seed;
        try {
            seed = SearchForm.parseSeeds(renderSeed.getText()).get(0);
        } catch (LoupeException ex) {
            renderTimings.setText(ex.getMessage());
            return;
        }
        SearchSettings s = view.settings();
        String p = prompt.trim();
        renderTimings.setText("Rendering " + e.name() + " and the uncached model…");
        Task<RenderComparison.Result> task = workbench.tasks().submit("Render " + e.name(),
                progress -> renders.withSampler(s,
                        sampler -> RenderComparison.render(sampler, e.schedule(), p, seed, RENDER_REPEATS, progress)),
                r -> {});
        task.addEventHandler(WorkerStateEvent.WORKER_STATE_SUCCEEDED, x -> {
            if (renderTask.get() == task) renderTask.set(null);
            if (selected.get() == e) showRender(task.getValue());
        });
        task.addEventHandler(WorkerStateEvent.WORKER_STATE_CANCELLED, x -> renderTimings.setText("Rendering stopped."));
        task.addEventHandler(WorkerStateEvent.WORKER_STATE_FAILED, x -> {
            if (renderTask.get() == task) renderTask.set(null);
            renderTimings.setText("Rendering failed: " + LoupeException.userMessage(task.getException()));
        });
        renderTask.set(task);
    }

    @FXML
    private void cancelRender() {
        Task<?> t = renderTask.get();
        if (t != null) t.cancel();
        renderTask.set(null);
    }

    private void showRender(RenderComparison.Result r) {
        int scale = r.cached().fitFactor(32 * RENDER_SCALE, 32 * RENDER_SCALE);
        cachedView.setImage(FxRasters.toImage(r.cached(), scale));
        uncachedView.setImage(FxRasters.toImage(r.uncached(), scale));
        differenceView.setImage(FxRasters.toImage(r.difference(), scale));
        renderTimings.setText("\"" + r.prompt() + "\", seed " + r.seed() + "\n" + r.timings());
        rendered.set(r);
    }

    /** The last finished render (for tests and the status of the panel). */
    public RenderComparison.Result lastRender() {
        return rendered.get();
    }

    public Task<?> renderTask() {
        return renderTask.get();
    }

    // --- export and import ------------------------------------------------------------------------------------

    @Override
    public ReadOnlyBooleanProperty canExport() {
        return canExport.getReadOnlyProperty();
    }

    @FXML
    @Override
    public void export() {
        Evaluation e = selected.get();
        if (e == null) return;
        FileDialogs.save(workbench.window(), "Export schedule", "frontier-schedule-dir", ScheduleTransfer.fileName(e),
                new FileChooser.ExtensionFilter("ECAD schedule (JSON)", "*.json")).ifPresent(this::exportTo);
    }

    /** Writes the selected schedule as ECAD JSON (in the background; errors go to the error dialog). */
    public void exportTo(Path file) {
        Evaluation e = selected.get();
        RunView view = run.get();
        if (e == null) return;
        workbench.tasks().submit("Export schedule", progress -> {
            ScheduleTransfer.export(e, view == null ? null : view.settings(), file);
            return file;
        }, f -> progressLabel.setText("Exported " + e.name() + " to " + f));
    }

    @FXML
    private void importSchedule() {
        FileDialogs.open(workbench.window(), "Import schedule", "frontier-schedule-dir",
                new FileChooser.ExtensionFilter("ECAD schedule (JSON)", "*.json")).ifPresent(this::importSchedule);
    }

    /** Reads a schedule file, evaluates it with the run's settings and shows it as an imported point. */
    public Task<Evaluation> importSchedule(Path file) {
        RunView view = run.get();
        if (view == null || view.settings() == null) {
            workbench.showError("Import schedule", new LoupeException("open or start a run first: the schedule is "
                    + "evaluated with its model, prompts and seeds"));
            return null;
        }
        SearchSettings s = view.settings();
        return workbench.tasks().submit("Import " + file.getFileName(),
                progress -> ScheduleTransfer.importAndEvaluate(file, s, progress), e -> {
            imported.add(e);
            select(e);
        });
    }

    public List<Evaluation> imported() {
        return List.copyOf(imported);
    }

    // --- start-up options (./loupe with LOUPE_JAVA_OPTS, screenshots) -----------------------------------------

    private void applyStartupOptions() {
        // -Dloupe.frontier.run=DIR opens a run folder; with -Dloupe.frontier.resume=true it continues it;
        // -Dloupe.frontier.start=DIR starts a new search there with the form's settings
        // (-Dloupe.frontier.population / .generations override them); -Dloupe.frontier.select=NAME selects that
        // schedule once the run shows it.
        Integer pop = Integer.getInteger("loupe.frontier.population");
        if (pop != null) form.setPopulation(pop);
        Integer gens = Integer.getInteger("loupe.frontier.generations");
        if (gens != null) form.setGenerations(gens);
        String open = System.getProperty("loupe.frontier.run");
        String start = System.getProperty("loupe.frontier.start");
        if (open != null && !open.isBlank()) {
            Path folder = Path.of(open);
            if (Boolean.getBoolean("loupe.frontier.resume")) {
                Platform.runLater(() -> workbench.tasks().submit("Open run", progress -> RunView.of(folder, SearchRun.open(folder)),
                        view -> {
                            showRun(view);
                            fillForm(view.settings());
                            runSearch(view.settings(), folder, true);
                        }));
            } else {
                Platform.runLater(() -> openRun(folder));
            }
        } else if (start != null && !start.isBlank()) {
            Platform.runLater(() -> {
                try {
                    SearchSettings settings = form.settings();
                    showRun(new RunView(Path.of(start), settings, List.of(), List.of(), List.of(), List.of()));
                    runSearch(settings, Path.of(start), Files.isRegularFile(Path.of(start).resolve("settings.json")));
                } catch (LoupeException e) {
                    workbench.showError("Start search", e);
                }
            });
        }
    }

    private static Path newRunFolder() {
        String base = System.getProperty("loupe.runs");
        Path runs = base != null && !base.isBlank() ? Path.of(base) : Path.of(System.getProperty("user.home"), ".loupe", "runs");
        return runs.resolve("frontier-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }
}
