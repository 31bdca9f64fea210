package dev.loupe.app.features;

import atlantafx.base.theme.Styles;
import dev.loupe.app.features.FeaturesViewModel.ModelState;
import dev.loupe.app.features.FeaturesViewModel.ViewMode;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Insets;
import javafx.geometry.Point2D;
import javafx.geometry.Rectangle2D;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.image.Image;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.RowConstraints;
import javafx.scene.layout.VBox;

/**
 * The grid of pictures of the Features workspace, drawn from the view-model's state. Top row: the image, the
 * low-resolution PCA, the upsampled PCA and (when comparing) the second upsampler's; after a click, a second row
 * with the similarity legend under the image and each map's similarity under it. All panels share one
 * {@link Viewport}; in overlay mode the feature colours are drawn over the image.
 */
public final class FeaturePanels extends GridPane {
    private final FeaturesViewModel model;
    private final Map<BufferedImage, Image> fxImages = new WeakHashMap<>();
    private final ImagePanel image;
    private final ImagePanel lowRes;
    private final ImagePanel primary;
    private final ImagePanel compare;
    private final ImagePanel lowResSimilarity;
    private final ImagePanel primarySimilarity;
    private final ImagePanel compareSimilarity;
    private final List<ImagePanel> all;
    private final VBox legend = new VBox(8);
    private final Label legendPixel = new Label();
    private final ColourBar colourBar = new ColourBar(SimilarityMaps.COLOURS);
    private final Tooltip lowResTip = new Tooltip();
    private int columns = -1;
    private int rows = -1;

    public FeaturePanels(FeaturesViewModel model, Viewport viewport) {
        this.model = model;
        image = panel(viewport, "panel-image", "Image");
        lowRes = panel(viewport, "panel-lowres", "Low-res PCA");
        primary = panel(viewport, "panel-upsampled", "");
        compare = panel(viewport, "panel-compare", "");
        lowResSimilarity = panel(viewport, "panel-similarity-lowres", "Similarity · low-res");
        primarySimilarity = panel(viewport, "panel-similarity-upsampled", "");
        compareSimilarity = panel(viewport, "panel-similarity-compare", "");
        all = List.of(image, lowRes, primary, compare, lowResSimilarity, primarySimilarity, compareSimilarity);
        lowResTip.setWrapText(true);
        lowResTip.setMaxWidth(360);
        Tooltip.install(lowRes, lowResTip);
        // all panels are laid out alike: the image panel's size stands for them all
        image.widthProperty().addListener(x -> viewport.setViewSize(image.getWidth(), image.getHeight()));
        image.heightProperty().addListener(x -> viewport.setViewSize(image.getWidth(), image.getHeight()));
        buildLegend();
        getStyleClass().add("panel-grid");
        setHgap(8);
        setVgap(8);
        setPadding(new Insets(8));
    }

    private ImagePanel panel(Viewport viewport, String id, String caption) {
        ImagePanel p = new ImagePanel(viewport, id);
        p.captionProperty().set(caption);
        p.setOnPick(pt -> model.selectPixel((int) pt.getX(), (int) pt.getY()));
        GridPane.setHgrow(p, Priority.ALWAYS);
        GridPane.setVgrow(p, Priority.ALWAYS);
        p.setMaxSize(Double.MAX_VALUE, Double.MAX_VALUE);
        p.setPrefSize(200, 200);
        return p;
    }

    private void buildLegend() {
        Label title = new Label("Cosine similarity");
        title.getStyleClass().add("legend-title");
        legendPixel.getStyleClass().add("legend-text");
        legendPixel.setWrapText(true);
        Label hint = new Label("Every location's feature compared with the marked pixel's. Click elsewhere to move the marker; Esc clears it.");
        hint.getStyleClass().add("legend-hint");
        hint.setWrapText(true);
        Button clear = new Button("Clear marker");
        clear.getStyleClass().add(Styles.SMALL);
        clear.setOnAction(e -> model.clearPixel());
        legend.getChildren().addAll(title, legendPixel, colourBar, hint, clear);
        legend.getStyleClass().add("similarity-legend");
        legend.setId("similarity-legend");
        legend.setMinSize(0, 0);
    }

    /** Shows the view-model's current state (call on every change). */
    public void refresh() {
        FeatureSource source = model.source().get();
        if (source == null) return;
        Snapshot snap = model.snapshot().get();
        List<String> specs = model.specs();
        boolean comparing = specs.size() > 1;
        Point2D pixel = model.pixel().get();
        layout(comparing, pixel != null);

        Image picture = fx(source.image());
        image.baseProperty().set(picture);
        image.detailProperty().set(source.name() + "  " + source.originalWidth() + " × " + source.originalHeight()
                + (source.resized() ? " → " + source.width() + " × " + source.height() : ""));
        boolean overlay = model.viewMode().get() == ViewMode.OVERLAY;
        for (ImagePanel p : all.subList(1, all.size())) {
            p.baseProperty().set(overlay ? picture : null);
            p.topOpacityProperty().set(model.opacity().get());
        }
        String waiting = waitingText(specs.get(0));
        show(lowRes, snap == null ? null : snap.lowResPca(), waiting);
        describeLowRes(snap);
        showLayer(primary, snap, specs.get(0));
        if (comparing) showLayer(compare, snap, specs.get(1));
        if (pixel != null) showSimilarity(snap, specs, pixel, waiting);

        Rectangle2D cell = snap == null || pixel == null ? null : tokenCell(source, snap, pixel);
        for (ImagePanel p : all) p.markerProperty().set(pixel);
        lowRes.markerCellProperty().set(cell);
        lowResSimilarity.markerCellProperty().set(cell);
    }

    private void showSimilarity(Snapshot snap, List<String> specs, Point2D pixel, String waiting) {
        SimilarityMaps sim = model.similarity().get();
        boolean ready = sim != null && snap != null;
        String pending = snap == null ? waiting : "Computing similarity…";
        show(lowResSimilarity, ready ? sim.lowRes() : null, pending);
        primarySimilarity.captionProperty().set("Similarity · " + FeaturesViewModel.label(specs.get(0)));
        show(primarySimilarity, ready ? sim.dense().get(0) : null, pending);
        if (specs.size() > 1) {
            compareSimilarity.captionProperty().set("Similarity · " + FeaturesViewModel.label(specs.get(1)));
            show(compareSimilarity, ready && sim.dense().size() > 1 ? sim.dense().get(1) : null, pending);
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

    private void describeLowRes(Snapshot snap) {
        if (snap == null) {
            lowRes.detailProperty().set("");
            return;
        }
        double[] ev = snap.explained();
        lowRes.detailProperty().set(String.format(Locale.ROOT, "%d × %d tokens × %d ch", snap.tokensWide(), snap.tokensHigh(), snap.channels()));
        lowResTip.setText(String.format(Locale.ROOT, "%s on a %d × %d input. Red, green and blue are the first three principal "
                + "components of its tokens (%.0f%%, %.0f%% and %.0f%% of their variance); the upsampled panels use the same "
                + "components and colour scale.", snap.backbone(), snap.inputWidth(), snap.inputHeight(), 100 * ev[0], 100 * ev[1], 100 * ev[2]));
    }

    private String waitingText(String spec) {
        if (model.modelState().get() == ModelState.LOADING) return "Waiting for the models to load…";
        if (model.modelState().get() == ModelState.FAILED) return model.modelMessage().get();
        if (model.computing().get()) return "Computing " + FeaturesViewModel.label(spec) + "…";
        return "Not computed";
    }

    private void showLayer(ImagePanel panel, Snapshot snap, String spec) {
        Snapshot.Layer layer = snap == null ? null : snap.layer(spec);
        panel.captionProperty().set(FeaturesViewModel.label(spec));
        panel.detailProperty().set(layer == null ? "" : TimingsBar.millis(layer.millis()) + (layer.reused() ? " (reused)" : ""));
        show(panel, layer == null ? null : layer.pca(), waitingText(spec));
    }

    private void show(ImagePanel panel, BufferedImage picture, String waiting) {
        panel.topProperty().set(picture == null ? null : fx(picture));
        panel.statusProperty().set(picture == null ? waiting : null);
        panel.setBusy(model.modelState().get() == ModelState.LOADING || model.computing().get());
    }

    /** The token that covers {@code pixel}, in the shown image's coordinates. */
    static Rectangle2D tokenCell(FeatureSource source, Snapshot snap, Point2D pixel) {
        double tw = (double) source.width() / snap.tokensWide();
        double th = (double) source.height() / snap.tokensHigh();
        int ix = (int) ((long) pixel.getX() * snap.inputWidth() / source.width());
        int iy = (int) ((long) pixel.getY() * snap.inputHeight() / source.height());
        int tx = (int) ((long) ix * snap.tokensWide() / snap.inputWidth());
        int ty = (int) ((long) iy * snap.tokensHigh() / snap.inputHeight());
        return new Rectangle2D(tx * tw, ty * th, tw, th);
    }

    /** Equal columns (3, or 4 when comparing) and rows (2 with the similarity row). */
    private void layout(boolean comparing, boolean similarity) {
        int cols = comparing ? 4 : 3;
        int rowCount = similarity ? 2 : 1;
        if (cols == columns && rowCount == rows) return;
        columns = cols;
        rows = rowCount;
        getChildren().clear();
        getColumnConstraints().clear();
        getRowConstraints().clear();
        for (int c = 0; c < cols; c++) {
            ColumnConstraints cc = new ColumnConstraints();
            cc.setPercentWidth(100.0 / cols);
            cc.setHgrow(Priority.ALWAYS);
            getColumnConstraints().add(cc);
        }
        for (int r = 0; r < rowCount; r++) {
            RowConstraints rc = new RowConstraints();
            rc.setPercentHeight(100.0 / rowCount);
            rc.setVgrow(Priority.ALWAYS);
            getRowConstraints().add(rc);
        }
        List<Node> top = new ArrayList<>(List.of(image, lowRes, primary));
        if (comparing) top.add(compare);
        for (int c = 0; c < top.size(); c++) add(top.get(c), c, 0);
        if (similarity) {
            List<Node> bottom = new ArrayList<>(List.of(legend, lowResSimilarity, primarySimilarity));
            if (comparing) bottom.add(compareSimilarity);
            for (int c = 0; c < bottom.size(); c++) add(bottom.get(c), c, 1);
        }
    }

    private Image fx(BufferedImage picture) {
        return fxImages.computeIfAbsent(picture, i -> SwingFXUtils.toFXImage(i, null));
    }
}
