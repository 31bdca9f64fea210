package dev.loupe.app;

import atlantafx.base.controls.Message;
import atlantafx.base.theme.Styles;
import dev.loupe.app.features.ColourBar;
import dev.loupe.app.features.FeatureSession;
import dev.loupe.app.features.FeatureSource;
import dev.loupe.app.features.FeaturesViewModel;
import dev.loupe.app.features.FeaturesViewModel.Choice;
import dev.loupe.app.features.FeaturesViewModel.ModelState;
import dev.loupe.app.features.FeaturesViewModel.ViewMode;
import dev.loupe.app.features.ImagePanel;
import dev.loupe.app.features.Samples;
import dev.loupe.app.features.SimilarityMaps;
import dev.loupe.app.features.Snapshot;
import dev.loupe.app.features.Viewport;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import javafx.application.Platform;
import javafx.beans.Observable;
import javafx.concurrent.Task;
import javafx.embed.swing.SwingFXUtils;
import javafx.fxml.FXML;
import javafx.geometry.Insets;
import javafx.geometry.Point2D;
import javafx.geometry.Pos;
import javafx.geometry.Rectangle2D;
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
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.RowConstraints;
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
    private final Map<BufferedImage, Image> fxImages = new WeakHashMap<>();

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
    @FXML private HBox infoBar;
    @FXML private HBox timings;
    @FXML private HBox zoomBar;

    private ImagePanel imagePanel;
    private ImagePanel lowResPanel;
    private ImagePanel primaryPanel;
    private ImagePanel comparePanel;
    private ImagePanel lowResSimilarityPanel;
    private ImagePanel primarySimilarityPanel;
    private ImagePanel compareSimilarityPanel;
    private final GridPane grid = new GridPane();
    private final VBox legend = new VBox(8);
    private final Label legendPixel = new Label();
    private final ColourBar colourBar = new ColourBar(SimilarityMaps.COLOURS);
    private final VBox noticeBox = new VBox();
    private final VBox shown = new VBox();
    private Node emptyState;
    private final Label modelStatus = new Label();
    private final ProgressIndicator modelSpinner = new ProgressIndicator();
    private boolean syncing;
    private final Tooltip lowResTip = new Tooltip();

    public FeaturesController(Workbench workbench) {
        this.workbench = workbench;
    }

    @FXML
    private void initialize() {
        model = new FeaturesViewModel(workbench.tasks());
        workbench.closeWith(model);
        buildPanels();
        buildEmptyState();
        buildToolbar();
        buildZoomBar();
        shown.getChildren().addAll(noticeBox, grid);
        VBox.setVgrow(grid, Priority.ALWAYS);
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

    private void buildPanels() {
        imagePanel = panel("panel-image", "Image");
        lowResPanel = panel("panel-lowres", "Low-res PCA");
        primaryPanel = panel("panel-upsampled", "");
        comparePanel = panel("panel-compare", "");
        lowResSimilarityPanel = panel("panel-similarity-lowres", "Similarity · low-res");
        lowResTip.setWrapText(true);
        lowResTip.setMaxWidth(360);
        Tooltip.install(lowResPanel, lowResTip);
        primarySimilarityPanel = panel("panel-similarity-upsampled", "");
        compareSimilarityPanel = panel("panel-similarity-compare", "");

        Label title = new Label("Cosine similarity");
        title.getStyleClass().add("legend-title");
        legendPixel.getStyleClass().add("legend-text");
        legendPixel.setWrapText(true);
        Label hint = new Label("Every location's feature compared with the marked pixel's. Click elsewhere to move the marker; Esc clears it.");
        hint.getStyleClass().add("legend-hint");
        hint.setWrapText(true);
        Button clear = new Button("Clear marker");
        clear.getStyleClass().addAll(Styles.SMALL);
        clear.setOnAction(e -> model.clearPixel());
        legend.getChildren().addAll(title, legendPixel, colourBar, hint, clear);
        legend.getStyleClass().add("similarity-legend");
        legend.setId("similarity-legend");
        legend.setMinSize(0, 0);

        grid.getStyleClass().add("panel-grid");
        grid.setHgap(8);
        grid.setVgap(8);
        grid.setPadding(new Insets(8));
    }

    private ImagePanel panel(String id, String caption) {
        ImagePanel p = new ImagePanel(viewport, id);
        p.captionProperty().set(caption);
        p.setOnPick(pt -> model.selectPixel((int) pt.getX(), (int) pt.getY()));
        p.widthProperty().addListener(x -> viewportFollowsPanels());
        p.heightProperty().addListener(x -> viewportFollowsPanels());
        GridPane.setHgrow(p, Priority.ALWAYS);
        GridPane.setVgrow(p, Priority.ALWAYS);
        p.setMaxSize(Double.MAX_VALUE, Double.MAX_VALUE);
        p.setPrefSize(200, 200);
        return p;
    }

    private void viewportFollowsPanels() {
        // all panels are laid out alike: the image panel's size stands for them all
        if (imagePanel.getWidth() > 0 && imagePanel.getHeight() > 0) viewport.setViewSize(imagePanel.getWidth(), imagePanel.getHeight());
    }

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
        if (source == null) {
            if (content.getChildren().get(0) != emptyState) content.getChildren().setAll(emptyState);
            timings.getChildren().clear();
            return;
        }
        if (content.getChildren().get(0) != shown) content.getChildren().setAll(shown);
        viewport.setImageSize(source.width(), source.height());
        Snapshot snap = model.snapshot().get();
        List<String> specs = model.specs();
        boolean comparing = specs.size() > 1;
        Point2D pixel = model.pixel().get();
        layoutGrid(comparing, pixel != null);

        boolean overlay = model.viewMode().get() == ViewMode.OVERLAY;
        Image image = fx(source.image());
        imagePanel.baseProperty().set(image);
        String waiting = waitingText(specs.get(0));

        List<ImagePanel> featurePanels = List.of(lowResPanel, primaryPanel, comparePanel, lowResSimilarityPanel, primarySimilarityPanel,
                compareSimilarityPanel);
        for (ImagePanel p : featurePanels) {
            p.baseProperty().set(overlay ? image : null);
            p.topOpacityProperty().set(model.opacity().get());
        }
        show(lowResPanel, snap == null ? null : snap.lowResPca(), waiting);
        showLayer(primaryPanel, snap, specs.get(0));
        if (comparing) showLayer(comparePanel, snap, specs.get(1));

        SimilarityMaps sim = model.similarity().get();
        if (pixel != null) {
            String computing = "Computing similarity…";
            boolean ready = sim != null && snap != null;
            show(lowResSimilarityPanel, ready ? sim.lowRes() : null, snap == null ? waiting : computing);
            primarySimilarityPanel.captionProperty().set("Similarity · " + FeaturesViewModel.label(specs.get(0)));
            show(primarySimilarityPanel, ready ? sim.dense().get(0) : null, snap == null ? waiting : computing);
            if (comparing) {
                compareSimilarityPanel.captionProperty().set("Similarity · " + FeaturesViewModel.label(specs.get(1)));
                show(compareSimilarityPanel, ready && sim.dense().size() > 1 ? sim.dense().get(1) : null, snap == null ? waiting : computing);
            }
            if (ready) {
                colourBar.setRange(sim.low(), sim.high());
                legendPixel.setText(String.format(Locale.ROOT, "Pixel (%d, %d) of the image; (%d, %d) of the %d × %d backbone input, "
                        + "in token (%d, %d).", sim.x(), sim.y(), sim.inputX(), sim.inputY(), snap.inputWidth(), snap.inputHeight(),
                        sim.tokenX(), sim.tokenY()));
            } else {
                legendPixel.setText(String.format(Locale.ROOT, "Pixel (%d, %d)", (int) pixel.getX(), (int) pixel.getY()));
            }
        }
        Rectangle2D cell = snap == null || pixel == null ? null : tokenCell(source, snap, pixel);
        for (ImagePanel p : List.of(imagePanel, lowResPanel, primaryPanel, comparePanel, lowResSimilarityPanel, primarySimilarityPanel,
                compareSimilarityPanel)) {
            p.markerProperty().set(pixel);
        }
        lowResPanel.markerCellProperty().set(cell);
        lowResSimilarityPanel.markerCellProperty().set(cell);
        showInfo(source, snap);
    }

    private String waitingText(String spec) {
        if (model.modelState().get() == ModelState.LOADING) return "Waiting for the models to load…";
        if (model.modelState().get() == ModelState.FAILED) return model.modelMessage().get();
        if (model.computing().get()) return "Computing " + FeaturesViewModel.label(spec) + "…";
        return "Not computed";
    }

    private boolean busy() {
        return model.modelState().get() == ModelState.LOADING || model.computing().get();
    }

    private void showLayer(ImagePanel panel, Snapshot snap, String spec) {
        Snapshot.Layer layer = snap == null ? null : snap.layer(spec);
        panel.captionProperty().set(FeaturesViewModel.label(spec));
        panel.detailProperty().set(layer == null ? "" : millis(layer.millis()) + (layer.reused() ? " (reused)" : ""));
        show(panel, layer == null ? null : layer.pca(), waitingText(spec));
    }

    private void show(ImagePanel panel, BufferedImage image, String waiting) {
        panel.topProperty().set(image == null ? null : fx(image));
        panel.statusProperty().set(image == null ? waiting : null);
        panel.setBusy(busy());
    }

    /** The token that covers {@code pixel}, in the shown image's coordinates. */
    private static Rectangle2D tokenCell(FeatureSource source, Snapshot snap, Point2D pixel) {
        double tw = (double) source.width() / snap.tokensWide();
        double th = (double) source.height() / snap.tokensHigh();
        int ix = (int) ((long) pixel.getX() * snap.inputWidth() / source.width());
        int iy = (int) ((long) pixel.getY() * snap.inputHeight() / source.height());
        int tx = (int) ((long) ix * snap.tokensWide() / snap.inputWidth());
        int ty = (int) ((long) iy * snap.tokensHigh() / snap.inputHeight());
        return new Rectangle2D(tx * tw, ty * th, tw, th);
    }

    private int layoutCols = -1;
    private int layoutRows = -1;

    private void layoutGrid(boolean comparing, boolean similarity) {
        int cols = comparing ? 4 : 3;
        int rows = similarity ? 2 : 1;
        if (cols == layoutCols && rows == layoutRows) return;
        layoutCols = cols;
        layoutRows = rows;
        grid.getChildren().clear();
        grid.getColumnConstraints().clear();
        grid.getRowConstraints().clear();
        for (int c = 0; c < cols; c++) {
            ColumnConstraints cc = new ColumnConstraints();
            cc.setPercentWidth(100.0 / cols);
            cc.setHgrow(Priority.ALWAYS);
            grid.getColumnConstraints().add(cc);
        }
        for (int r = 0; r < rows; r++) {
            RowConstraints rc = new RowConstraints();
            rc.setPercentHeight(100.0 / rows);
            rc.setVgrow(Priority.ALWAYS);
            grid.getRowConstraints().add(rc);
        }
        List<Node> top = new ArrayList<>(List.of(imagePanel, lowResPanel, primaryPanel));
        if (comparing) top.add(comparePanel);
        for (int c = 0; c < top.size(); c++) grid.add(top.get(c), c, 0);
        if (similarity) {
            List<Node> bottom = new ArrayList<>(List.of(legend, lowResSimilarityPanel, primarySimilarityPanel));
            if (comparing) bottom.add(compareSimilarityPanel);
            for (int c = 0; c < bottom.size(); c++) grid.add(bottom.get(c), c, 1);
        }
    }

    private void showInfo(FeatureSource source, Snapshot snap) {
        String image = source.name() + "  " + source.originalWidth() + " × " + source.originalHeight()
                + (source.resized() ? " → " + source.width() + " × " + source.height() : "");
        imagePanel.detailProperty().set(image);
        if (snap != null) {
            double[] ev = snap.explained();
            lowResPanel.detailProperty().set(String.format(Locale.ROOT, "%d × %d tokens × %d ch", snap.tokensWide(), snap.tokensHigh(),
                    snap.channels()));
            lowResTip.setText(String.format(Locale.ROOT, "%s on a %d × %d input. Red, green and blue are the first "
                    + "three principal components of its tokens (%.0f%%, %.0f%% and %.0f%% of their variance); the upsampled panels use "
                    + "the same components and colour scale.", snap.backbone(), snap.inputWidth(), snap.inputHeight(),
                    100 * ev[0], 100 * ev[1], 100 * ev[2]));
        } else {
            lowResPanel.detailProperty().set("");
        }
        timings.getChildren().clear();
        timings.getChildren().add(chip("decode", source.decodeMillis(), false, "Reading and decoding the file"));
        if (snap == null) return;
        String reused = snap.backboneReused() ? "reused: only the upsampler ran for this view" : null;
        timings.getChildren().add(chip("resize", snap.millis("resize"), snap.backboneReused(), reused));
        timings.getChildren().add(chip("backbone", snap.millis("backbone"), snap.backboneReused(), reused));
        for (Snapshot.Layer l : snap.upsampled()) {
            timings.getChildren().add(chip(FeaturesViewModel.label(l.spec()), l.millis(), l.reused(), "upsampling to "
                    + snap.inputWidth() + " × " + snap.inputHeight() + " px" + (l.reused() ? " (computed earlier, reused)" : "")));
        }
        timings.getChildren().add(chip("PCA", snap.millis("pca"), snap.backboneReused(), reused));
        double ready = model.readyMillis().get();
        if (!Double.isNaN(ready)) {
            Label total = new Label(String.format(Locale.ROOT, "ready in %.1f s", ready / 1000));
            total.getStyleClass().add("timing-total");
            total.setMinWidth(Label.USE_PREF_SIZE);
            total.setTooltip(new Tooltip("From opening the image (or from the models being ready) to its features on show"));
            timings.getChildren().add(total);
        }
    }

    private static Label chip(String name, double ms, boolean reused, String tip) {
        Label l = new Label(name + " " + millis(ms));
        l.getStyleClass().add("timing");
        l.setMinWidth(Label.USE_PREF_SIZE);
        if (reused) l.getStyleClass().add("timing-reused");
        if (tip != null) l.setTooltip(new Tooltip(tip));
        return l;
    }

    private static String millis(double ms) {
        if (Double.isNaN(ms)) return "–";
        if (ms >= 10_000) return String.format(Locale.ROOT, "%.1f s", ms / 1000);
        if (ms >= 10) return String.format(Locale.ROOT, "%.0f ms", ms);
        return String.format(Locale.ROOT, "%.1f ms", ms);
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

    private Image fx(BufferedImage image) {
        return fxImages.computeIfAbsent(image, i -> SwingFXUtils.toFXImage(i, null));
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
