package dev.loupe.app;

import atlantafx.base.controls.Message;
import atlantafx.base.theme.Styles;
import dev.loupe.app.features.FeaturePanels;
import dev.loupe.app.features.FeatureSession;
import dev.loupe.app.features.FeatureSource;
import dev.loupe.app.features.FeaturesViewModel;
import dev.loupe.app.features.FeaturesViewModel.Choice;
import dev.loupe.app.features.FeaturesViewModel.ModelState;
import dev.loupe.app.features.FeaturesViewModel.ViewMode;
import dev.loupe.app.features.TimingsBar;
import dev.loupe.app.features.Samples;
import dev.loupe.app.features.Snapshot;
import dev.loupe.app.features.Viewport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javafx.application.Platform;
import javafx.beans.Observable;
import javafx.concurrent.Task;
import javafx.fxml.FXML;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.RadioMenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.Slider;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2OutlinedAL;
import org.kordamp.ikonli.material2.Material2OutlinedMZ;

/**
 * The Features workspace: the image, its low-resolution PCA, the upsampled PCA (and a second upsampler's when
 * comparing) with synchronised zoom and pan, and, after a click, the similarity maps of that pixel. The state and
 * the work live in {@link FeaturesViewModel}; this class builds the panels and binds them to it.
 */
public final class FeaturesController implements Workspace {
    private final Workbench workbench;
    private FeaturesViewModel model;
    private final Viewport viewport = new Viewport();

    @FXML private BorderPane root;
    @FXML private MenuButton samplesButton;
    @FXML private ComboBox<Choice> backboneChooser;
    @FXML private ComboBox<Choice> upsamplerChooser;
    @FXML private ComboBox<Choice> comparisonChooser;
    @FXML private MenuButton inputButton;
    @FXML private HBox viewModes;
    @FXML private Label opacityLabel;
    @FXML private Slider opacitySlider;
    @FXML private Button exportButton;
    @FXML private StackPane content;
    @FXML private TimingsBar timingsBar;
    @FXML private HBox zoomBar;

    private FeaturePanels panels;
    private final VBox noticeBox = new VBox();
    private final VBox shown = new VBox();
    private Node emptyState;
    private final Label modelStatus = new Label();
    private final ProgressIndicator modelSpinner = new ProgressIndicator();
    private boolean syncing;

    public FeaturesController(Workbench workbench) {
        this.workbench = workbench;
    }

    @FXML
    private void initialize() {
        model = new FeaturesViewModel(workbench.tasks());
        workbench.closeWith(model);
        panels = new FeaturePanels(model, viewport);
        buildEmptyState();
        buildToolbar();
        buildZoomBar();
        shown.getChildren().addAll(noticeBox, panels);
        VBox.setVgrow(panels, Priority.ALWAYS);
        content.getChildren().setAll(emptyState);

        for (Observable o : List.of(model.source(), model.snapshot(), model.similarity(), model.pixel(), model.viewMode(),
                model.opacity(), model.computing(), model.modelState(), model.comparison(), model.upsampler(), model.readyMillis())) {
            o.addListener(x -> refresh());
        }
        model.notices().addListener((javafx.collections.ListChangeListener<FeaturesViewModel.Notice>) c -> showNotices());
        root.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ESCAPE && model.pixel().get() != null) {
                model.clearPixel();
                e.consume();
            }
        });
        model.start();
        applyStartupOptions();
        refresh();
    }

    // --- building ---------------------------------------------------------------------------------------------

    private void buildEmptyState() {
        Button open = new Button("Open image…", new FontIcon(Material2OutlinedAL.FOLDER_OPEN));
        open.setDefaultButton(true);
        open.setOnAction(e -> openImage());
        dev.loupe.app.EmptyState empty = new dev.loupe.app.EmptyState(Material2OutlinedAL.IMAGE, "Drop an image here",
                "Open or drop a picture, or try one of the bundled scenes below. The backbone's low-resolution patch features "
                        + "and their upsampled, pixel-dense version appear side by side as PCA colours; click a pixel to see "
                        + "which locations share its feature.", open);
        HBox tiles = new HBox(12);
        tiles.setAlignment(Pos.CENTER);
        tiles.getStyleClass().add("sample-tiles");
        for (Samples.Sample s : Samples.list()) {
            Button tile = new Button(s.title(), new ImageView(thumbnail(s, 96)));
            tile.setContentDisplay(javafx.scene.control.ContentDisplay.TOP);
            tile.getStyleClass().addAll("sample-tile", Styles.FLAT);
            tile.setId("sample-" + s.fileName().replace(".png", ""));
            tile.setOnAction(e -> model.openSample(s));
            tiles.getChildren().add(tile);
        }
        modelSpinner.setPrefSize(16, 16);
        modelSpinner.visibleProperty().bind(model.modelState().isEqualTo(ModelState.LOADING));
        modelSpinner.managedProperty().bind(modelSpinner.visibleProperty());
        modelStatus.getStyleClass().add("model-status");
        modelStatus.textProperty().bind(model.modelMessage());
        HBox status = new HBox(8, modelSpinner, modelStatus);
        status.setAlignment(Pos.CENTER);
        status.setId("model-status");
        Label samplesTitle = new Label("Samples");
        samplesTitle.getStyleClass().add("samples-title");
        empty.getChildren().addAll(samplesTitle, tiles, status);
        VBox.setMargin(samplesTitle, new Insets(24, 0, 0, 0));
        emptyState = empty;
    }

    private static Image thumbnail(Samples.Sample sample, int size) {
        try (InputStream in = sample.open()) {
            return new Image(in, size, size, true, true);
        } catch (IOException e) {
            return null;
        }
    }

    private void buildToolbar() {
        for (Samples.Sample s : Samples.list()) {
            MenuItem item = new MenuItem(s.title(), new ImageView(thumbnail(s, 40)));
            item.setOnAction(e -> model.openSample(s));
            samplesButton.getItems().add(item);
        }

        backboneChooser.disableProperty().bind(model.modelState().isEqualTo(ModelState.LOADING));
        chooser(backboneChooser, model.backbones(), model.backbone(), model::chooseBackbone,
                () -> FileDialogs.open(workbench.window(), "Open backbone", "backbone-dir",
                        new FileChooser.ExtensionFilter("TorchScript or ONNX backbones", "*.pt", "*.pth", "*.torchscript", "*.onnx")),
                model::openBackbone);
        chooser(upsamplerChooser, model.upsamplers(), model.upsampler(), model.upsampler()::set,
                () -> FileDialogs.chooseFolder(workbench.window(), "Open an upsampler folder (written by loupe train)", "upsampler-dir"),
                model::openUpsampler);

        comparisonChooser.setItems(model.comparisons());
        comparisonChooser.valueProperty().bindBidirectional(model.comparison());

        buildInputMenu();

        ToggleGroup modes = new ToggleGroup();
        ToggleButton side = new ToggleButton(null, new FontIcon(Material2OutlinedMZ.VIEW_COLUMN));
        ToggleButton overlay = new ToggleButton(null, new FontIcon(Material2OutlinedAL.LAYERS));
        side.setTooltip(new Tooltip("Side by side: the feature colours on their own"));
        overlay.setTooltip(new Tooltip("Overlay: the feature colours over the image, at the opacity of the slider"));
        side.setId("view-side-by-side");
        overlay.setId("view-overlay");
        side.getStyleClass().add(Styles.LEFT_PILL);
        overlay.getStyleClass().add(Styles.RIGHT_PILL);
        side.setToggleGroup(modes);
        overlay.setToggleGroup(modes);
        side.setUserData(ViewMode.SIDE_BY_SIDE);
        overlay.setUserData(ViewMode.OVERLAY);
        modes.selectToggle(model.viewMode().get() == ViewMode.OVERLAY ? overlay : side);
        modes.selectedToggleProperty().addListener((obs, old, t) -> {
            if (t == null) modes.selectToggle(old); // one mode is always on
            else model.viewMode().set((ViewMode) t.getUserData());
        });
        model.viewMode().addListener((obs, old, m) -> modes.selectToggle(m == ViewMode.OVERLAY ? overlay : side));
        viewModes.getChildren().setAll(side, overlay);

        opacitySlider.valueProperty().bindBidirectional(model.opacity());
        opacitySlider.setTooltip(new Tooltip("Opacity of the feature colours over the image"));
        var overlayMode = model.viewMode().isEqualTo(ViewMode.OVERLAY);
        opacitySlider.visibleProperty().bind(overlayMode);
        opacitySlider.managedProperty().bind(overlayMode);
        opacityLabel.visibleProperty().bind(overlayMode);
        opacityLabel.managedProperty().bind(overlayMode);

        exportButton.disableProperty().bind(model.canExport().not());
    }

    /**
     * A model chooser that follows {@code current}: picking an entry calls {@code choose}; picking its "Open…" entry
     * shows {@code dialog} and hands the file to {@code open} (the chooser shows the current model meanwhile).
     */
    private void chooser(ComboBox<Choice> box, javafx.collections.ObservableList<Choice> items, javafx.beans.value.ObservableValue<Choice> current,
                         java.util.function.Consumer<Choice> choose, java.util.function.Supplier<java.util.Optional<Path>> dialog,
                         java.util.function.Consumer<Path> open) {
        box.setItems(items);
        box.setValue(current.getValue());
        current.addListener((obs, old, c) -> sync(() -> box.setValue(c)));
        box.valueProperty().addListener((obs, old, choice) -> {
            if (syncing || choice == null) return;
            if (!choice.action()) {
                choose.accept(choice);
                return;
            }
            Platform.runLater(() -> {
                sync(() -> box.setValue(current.getValue()));
                dialog.get().ifPresent(open);
            });
        });
    }

    private void buildInputMenu() {
        ToggleGroup sizes = new ToggleGroup();
        MenuItem sizeTitle = caption("Backbone input (longer side)");
        inputButton.getItems().add(sizeTitle);
        for (int size : FeaturesViewModel.INPUT_SIZES) {
            RadioMenuItem item = new RadioMenuItem(size == 0 ? "Backbone's preferred size" : size + " px");
            item.setToggleGroup(sizes);
            item.setSelected(size == model.inputSize().get());
            item.setOnAction(e -> model.inputSize().set(size));
            item.setUserData(size);
            if (size == 0) {
                model.backboneInfo().addListener((obs, old, info) -> item.setText(info == null ? "Backbone's preferred size"
                        : "Backbone's preferred size (" + info.preferredSize() + " px)"));
            }
            inputButton.getItems().add(item);
        }
        model.inputSize().addListener((obs, old, size) -> sizes.getToggles().forEach(t -> {
            if (t.getUserData().equals(size.intValue())) t.setSelected(true);
        }));
        inputButton.getItems().add(new SeparatorMenuItem());
        inputButton.getItems().add(caption("Pixel limit (larger images are resized)"));
        ToggleGroup limits = new ToggleGroup();
        for (long limit : FeaturesViewModel.PIXEL_LIMITS) {
            RadioMenuItem item = new RadioMenuItem(FeatureSource.megapixels(limit));
            item.setToggleGroup(limits);
            item.setSelected(limit == model.pixelLimit().get());
            item.setOnAction(e -> model.pixelLimit().set(limit));
            item.setUserData(limit);
            inputButton.getItems().add(item);
        }
        model.pixelLimit().addListener((obs, old, limit) -> limits.getToggles().forEach(t -> {
            if (t.getUserData().equals(limit.longValue())) t.setSelected(true);
        }));
        Runnable label = () -> {
            int size = model.inputSize().get();
            FeatureSession.BackboneInfo info = model.backboneInfo().get();
            String px = size > 0 ? size + " px" : info == null ? "auto" : info.preferredSize() + " px";
            inputButton.setText(px + " · " + FeatureSource.megapixels(model.pixelLimit().get()));
        };
        model.inputSize().addListener(x -> label.run());
        model.pixelLimit().addListener(x -> label.run());
        model.backboneInfo().addListener(x -> label.run());
        label.run();
    }

    private static MenuItem caption(String text) {
        MenuItem item = new atlantafx.base.controls.CaptionMenuItem(text);
        return item;
    }

    private void buildZoomBar() {
        Button out = iconButton(Material2OutlinedMZ.ZOOM_OUT, "Zoom out (or scroll over a panel)", "zoom-out");
        Button in = iconButton(Material2OutlinedMZ.ZOOM_IN, "Zoom in (or scroll over a panel)", "zoom-in");
        Button fit = iconButton(Material2OutlinedAL.CROP_FREE, "Fit the image to the panels", "zoom-fit");
        Button actual = new Button("1:1");
        actual.setId("zoom-100");
        actual.setTooltip(new Tooltip("100%: one image pixel per screen pixel"));
        actual.getStyleClass().addAll(Styles.FLAT, Styles.SMALL);
        Label percent = new Label();
        percent.getStyleClass().add("zoom-percent");
        percent.setId("zoom-percent");
        percent.setMinWidth(48);
        percent.setAlignment(Pos.CENTER);
        percent.textProperty().bind(viewport.scale().multiply(100).asString(Locale.ROOT, "%.0f%%"));
        out.setOnAction(e -> viewport.zoomBy(1 / 1.25));
        in.setOnAction(e -> viewport.zoomBy(1.25));
        fit.setOnAction(e -> viewport.fit());
        actual.setOnAction(e -> viewport.actualSize());
        fit.disableProperty().bind(viewport.fitted());
        zoomBar.getChildren().setAll(out, percent, in, fit, actual);
        zoomBar.setAlignment(Pos.CENTER_RIGHT);
        zoomBar.disableProperty().bind(model.source().isNull());
    }

    private static Button iconButton(org.kordamp.ikonli.Ikon icon, String tip, String id) {
        Button b = new Button(null, new FontIcon(icon));
        b.getStyleClass().addAll(Styles.BUTTON_ICON, Styles.FLAT, Styles.SMALL);
        b.setTooltip(new Tooltip(tip));
        b.setId(id);
        return b;
    }

    private void sync(Runnable r) {
        syncing = true;
        try {
            r.run();
        } finally {
            syncing = false;
        }
    }

    // --- showing the state ------------------------------------------------------------------------------------

    private void refresh() {
        FeatureSource source = model.source().get();
        Node want = source == null ? emptyState : shown;
        if (content.getChildren().get(0) != want) content.getChildren().setAll(want);
        if (source != null) {
            viewport.setImageSize(source.width(), source.height());
            panels.refresh();
        }
        timingsBar.show(source, model.snapshot().get(), model.readyMillis().get());
    }

    private void showNotices() {
        noticeBox.getChildren().clear();
        for (FeaturesViewModel.Notice notice : model.notices()) {
            Message m = new Message(null, notice.text(), new FontIcon(notice.warning() ? Material2OutlinedMZ.WARNING : Material2OutlinedAL.INFO));
            m.getStyleClass().add(notice.warning() ? Styles.WARNING : Styles.SUCCESS);
            m.setId("notice-" + notice.topic().name().toLowerCase(Locale.ROOT));
            m.getStyleClass().add("features-notice");
            m.setOnClose(e -> model.dismiss(notice.topic()));
            VBox.setMargin(m, new Insets(8, 8, 0, 8));
            noticeBox.getChildren().add(m);
        }
    }

    // --- actions ----------------------------------------------------------------------------------------------

    @FXML
    private void openImage() {
        FileDialogs.chooseImage(workbench.window()).ifPresent(this::openImage);
    }

    /** Opens {@code file} (the path the menu, drag and drop and tests share); a bad file gets the error dialog. */
    public void openImage(Path file) {
        model.openImage(file);
    }

    @Override
    public javafx.beans.property.ReadOnlyBooleanProperty canExport() {
        return model.canExport();
    }

    @FXML
    @Override
    public void export() {
        if (!model.canExport().get()) return;
        FileDialogs.chooseFolder(workbench.window(), "Export features to a folder", "export-dir").ifPresent(this::exportTo);
    }

    /** Writes the images and features on show into {@code folder} (what Export does after asking for the folder). */
    public Task<List<Path>> exportTo(Path folder) {
        return model.exportTo(folder);
    }

    public FeaturesViewModel model() {
        return model;
    }

    public Viewport viewport() {
        return viewport;
    }

    public Path currentImage() {
        FeatureSource s = model.source().get();
        return s == null ? null : s.file();
    }

    /**
     * Start-up options for demonstrations and screenshots (system properties): {@code loupe.features.compare}
     * (an upsampler name), {@code loupe.features.view} ({@code overlay}) and {@code loupe.features.pixel}
     * ({@code X,Y}: picked once the first features are on show).
     */
    private void applyStartupOptions() {
        String compare = System.getProperty("loupe.features.compare");
        if (compare != null) model.comparisons().stream().filter(c -> compare.equals(c.spec())).findFirst().ifPresent(model.comparison()::set);
        if ("overlay".equalsIgnoreCase(System.getProperty("loupe.features.view"))) model.viewMode().set(ViewMode.OVERLAY);
        String pixel = System.getProperty("loupe.features.pixel");
        if (pixel != null && pixel.matches("\\d+,\\d+")) {
            String[] xy = pixel.split(",");
            model.snapshot().addListener(new javafx.beans.value.ChangeListener<>() {
                @Override
                public void changed(javafx.beans.value.ObservableValue<? extends Snapshot> obs, Snapshot old, Snapshot now) {
                    if (now == null) return;
                    obs.removeListener(this);
                    model.selectPixel(Integer.parseInt(xy[0]), Integer.parseInt(xy[1]));
                }
            });
        }
    }
}
