package dev.loupe.app.features;

import java.util.function.Consumer;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.geometry.Insets;
import javafx.geometry.Point2D;
import javafx.geometry.Pos;
import javafx.geometry.Rectangle2D;
import javafx.scene.Cursor;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.image.Image;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.Rectangle;

/**
 * One picture of the Features workspace: an image (or feature map) drawn through the shared {@link Viewport}, with
 * an optional second layer blended over it, a caption, the clicked pixel's marker, and a placeholder while its
 * content is being computed. Layers of any resolution fill the same image extent; a layer enlarged on screen is
 * drawn nearest-neighbour, so tokens show as the blocks they are.
 *
 * <p>Scroll zooms about the pointer, drag pans, a click (without dragging) picks the pixel under the pointer.
 */
public final class ImagePanel extends Region {
    private static final double DRAG_THRESHOLD = 3;

    private final Viewport viewport;
    private final Canvas canvas = new Canvas();
    private final Label caption = new Label();
    private final Label detail = new Label();
    private final HBox header;
    private final VBox placeholder;
    private final Label placeholderText = new Label();
    private final ProgressIndicator spinner = new ProgressIndicator();

    private final ObjectProperty<Image> base = new SimpleObjectProperty<>(this, "base");
    private final ObjectProperty<Image> top = new SimpleObjectProperty<>(this, "top");
    private final DoubleProperty topOpacity = new SimpleDoubleProperty(this, "topOpacity", 1);
    private final ObjectProperty<Point2D> marker = new SimpleObjectProperty<>(this, "marker");
    private final ObjectProperty<Rectangle2D> markerCell = new SimpleObjectProperty<>(this, "markerCell");
    private final StringProperty status = new SimpleStringProperty(this, "status");
    private Consumer<Point2D> onPick = p -> {};

    private double pressX;
    private double pressY;
    private double lastX;
    private double lastY;
    private boolean panning;

    public ImagePanel(Viewport viewport, String id) {
        this.viewport = viewport;
        setId(id);
        getStyleClass().add("image-panel");
        caption.getStyleClass().add("panel-caption");
        detail.getStyleClass().add("panel-detail");
        detail.visibleProperty().bind(detail.textProperty().isNotEmpty());
        detail.managedProperty().bind(detail.visibleProperty());
        header = new HBox(6, caption, detail);
        header.getStyleClass().add("panel-header");
        header.setAlignment(Pos.CENTER_LEFT);
        header.setMouseTransparent(true);
        header.setMaxSize(USE_PREF_SIZE, USE_PREF_SIZE);

        spinner.setPrefSize(28, 28);
        placeholderText.getStyleClass().add("panel-placeholder-text");
        placeholderText.setWrapText(true);
        placeholder = new VBox(8, spinner, placeholderText);
        placeholder.setAlignment(Pos.CENTER);
        placeholder.setMouseTransparent(true);
        placeholderText.textProperty().bind(status);
        placeholder.visibleProperty().bind(status.isNotNull());

        Rectangle clip = new Rectangle();
        clip.widthProperty().bind(widthProperty());
        clip.heightProperty().bind(heightProperty());
        clip.setArcWidth(12);
        clip.setArcHeight(12);
        setClip(clip);
        getChildren().addAll(canvas, placeholder, header);

        viewport.revision().addListener((obs, a, b) -> draw());
        base.addListener((obs, a, b) -> draw());
        top.addListener((obs, a, b) -> draw());
        topOpacity.addListener((obs, a, b) -> draw());
        marker.addListener((obs, a, b) -> draw());
        markerCell.addListener((obs, a, b) -> draw());

        setCursor(Cursor.CROSSHAIR);
        setOnScroll(this::scrolled);
        setOnMousePressed(this::pressed);
        setOnMouseDragged(this::dragged);
        setOnMouseReleased(this::released);
        setMinSize(120, 100);
    }

    /** Drawn first, opaque. */
    public ObjectProperty<Image> baseProperty() {
        return base;
    }

    /** Drawn over the base at {@link #topOpacityProperty()} (alone and opaque when there is no base). */
    public ObjectProperty<Image> topProperty() {
        return top;
    }

    public DoubleProperty topOpacityProperty() {
        return topOpacity;
    }

    /** The picked pixel, in image coordinates (its top-left corner), or null. */
    public ObjectProperty<Point2D> markerProperty() {
        return marker;
    }

    /** A region outlined around the marker (the token that covers it), in image coordinates, or null. */
    public ObjectProperty<Rectangle2D> markerCellProperty() {
        return markerCell;
    }

    /** While non-null, a spinner and this text are shown over the panel (the content is being computed). */
    public StringProperty statusProperty() {
        return status;
    }

    public StringProperty captionProperty() {
        return caption.textProperty();
    }

    /** A short figure next to the caption (a timing). */
    public StringProperty detailProperty() {
        return detail.textProperty();
    }

    public void setOnPick(Consumer<Point2D> onPick) {
        this.onPick = onPick;
    }

    /** Hides the spinner when the status explains why there is nothing rather than that something is coming. */
    public void setBusy(boolean busy) {
        spinner.setVisible(busy);
        spinner.setManaged(busy);
    }

    @Override
    protected void layoutChildren() {
        double w = getWidth();
        double h = getHeight();
        if (canvas.getWidth() != w || canvas.getHeight() != h) {
            canvas.setWidth(w);
            canvas.setHeight(h);
            draw();
        }
        Insets pad = new Insets(8);
        header.autosize();
        header.relocate(pad.getLeft(), pad.getTop());
        double pw = Math.min(w - 32, 320);
        placeholder.resize(pw, placeholder.prefHeight(pw));
        placeholder.relocate((w - pw) / 2, (h - placeholder.getHeight()) / 2);
    }

    /** Redraws the canvas from the layers and the viewport. */
    void draw() {
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.clearRect(0, 0, w, h);
        if (w < 1 || h < 1) return;
        Image b = base.get();
        Image t = top.get();
        if (b != null) drawLayer(g, b, 1, w, h);
        if (t != null) drawLayer(g, t, b == null ? 1 : topOpacity.get(), w, h);
        g.setGlobalAlpha(1);
        if (marker.get() != null && (b != null || t != null)) drawMarker(g, w, h);
    }

    /** Draws the visible part of {@code layer} (stretched over the image extent), whole layer pixels only. */
    private void drawLayer(GraphicsContext g, Image layer, double alpha, double w, double h) {
        double lw = layer.getWidth();
        double lh = layer.getHeight();
        double iw = viewport.imageWidth();
        double ih = viewport.imageHeight();
        double fx = lw / iw; // layer pixels per image pixel
        double fy = lh / ih;
        Point2D a = viewport.toImage(0, 0, w, h);
        Point2D z = viewport.toImage(w, h, w, h);
        double x0 = Math.max(0, Math.floor(a.getX() * fx));
        double y0 = Math.max(0, Math.floor(a.getY() * fy));
        double x1 = Math.min(lw, Math.ceil(z.getX() * fx));
        double y1 = Math.min(lh, Math.ceil(z.getY() * fy));
        if (x1 <= x0 || y1 <= y0) return;
        double sx0 = viewport.screenX(x0 / fx, w);
        double sy0 = viewport.screenY(y0 / fy, h);
        double sx1 = viewport.screenX(x1 / fx, w);
        double sy1 = viewport.screenY(y1 / fy, h);
        double enlargement = viewport.scale().get() / fx;
        g.setImageSmoothing(enlargement < 1);
        g.setGlobalAlpha(alpha);
        g.drawImage(layer, x0, y0, x1 - x0, y1 - y0, sx0, sy0, sx1 - sx0, sy1 - sy0);
    }

    private void drawMarker(GraphicsContext g, double w, double h) {
        Point2D p = marker.get();
        double s = viewport.scale().get();
        Rectangle2D cell = markerCell.get();
        if (cell != null) {
            double cx = viewport.screenX(cell.getMinX(), w);
            double cy = viewport.screenY(cell.getMinY(), h);
            double cw = cell.getWidth() * s;
            double ch = cell.getHeight() * s;
            g.setLineDashes();
            g.setStroke(Color.rgb(0, 0, 0, 0.65));
            g.setLineWidth(3);
            g.strokeRect(cx, cy, cw, ch);
            g.setStroke(Color.WHITE);
            g.setLineWidth(1.25);
            g.setLineDashes(4, 3);
            g.strokeRect(cx, cy, cw, ch);
            g.setLineDashes();
        }
        double x = viewport.screenX(p.getX() + 0.5, w);
        double y = viewport.screenY(p.getY() + 0.5, h);
        double r = Math.max(6, s / 2 + 3);
        for (int pass = 0; pass < 2; pass++) {
            g.setStroke(pass == 0 ? Color.rgb(0, 0, 0, 0.7) : Color.WHITE);
            g.setLineWidth(pass == 0 ? 3.5 : 1.5);
            g.strokeOval(x - r, y - r, 2 * r, 2 * r);
            g.strokeLine(x - r - 6, y, x - r + 2, y);
            g.strokeLine(x + r - 2, y, x + r + 6, y);
            g.strokeLine(x, y - r - 6, x, y - r + 2);
            g.strokeLine(x, y + r - 2, x, y + r + 6);
        }
    }

    private void scrolled(ScrollEvent e) {
        if (e.getDeltaY() == 0) return;
        viewport.zoomBy(Math.pow(1.1, e.getDeltaY() / 40), e.getX(), e.getY(), getWidth(), getHeight());
        e.consume();
    }

    private void pressed(MouseEvent e) {
        if (e.getButton() != MouseButton.PRIMARY) return;
        pressX = lastX = e.getX();
        pressY = lastY = e.getY();
        panning = false;
    }

    private void dragged(MouseEvent e) {
        if (!e.isPrimaryButtonDown()) return;
        if (!panning && Math.hypot(e.getX() - pressX, e.getY() - pressY) >= DRAG_THRESHOLD) {
            panning = true;
            setCursor(Cursor.CLOSED_HAND);
        }
        if (panning) {
            viewport.panBy(e.getX() - lastX, e.getY() - lastY);
            lastX = e.getX();
            lastY = e.getY();
        }
    }

    private void released(MouseEvent e) {
        if (e.getButton() != MouseButton.PRIMARY) return;
        if (panning) {
            panning = false;
            setCursor(Cursor.CROSSHAIR);
            return;
        }
        Point2D p = viewport.toImage(e.getX(), e.getY(), getWidth(), getHeight());
        if (p.getX() >= 0 && p.getY() >= 0 && p.getX() < viewport.imageWidth() && p.getY() < viewport.imageHeight()
                && (base.get() != null || top.get() != null)) {
            onPick.accept(new Point2D(Math.floor(p.getX()), Math.floor(p.getY())));
        }
    }
}
