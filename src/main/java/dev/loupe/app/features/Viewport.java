package dev.loupe.app.features;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.geometry.Point2D;

/**
 * The zoom and pan that every panel of the Features workspace shares, so they stay in step: {@link #scale()} screen
 * pixels per image pixel, and the image point shown at the centre of each panel. "Fit" follows the panel size until
 * the user zooms or pans; "100%" shows one image pixel per screen pixel. Pure arithmetic on the FX thread; panels
 * redraw when {@link #revision()} changes.
 */
public final class Viewport {
    public static final double MAX_SCALE = 64;
    /** Share of the panel the fitted image fills (a small margin around it). */
    static final double FIT_MARGIN = 0.96;

    private final ReadOnlyDoubleWrapper scale = new ReadOnlyDoubleWrapper(1);
    private final ReadOnlyBooleanWrapper fitted = new ReadOnlyBooleanWrapper(true);
    private final ReadOnlyLongWrapper revision = new ReadOnlyLongWrapper();
    private double centerX;
    private double centerY;
    private double imageWidth = 1;
    private double imageHeight = 1;
    private double viewWidth = 1;
    private double viewHeight = 1;

    /** Screen pixels per image pixel. */
    public ReadOnlyDoubleProperty scale() {
        return scale.getReadOnlyProperty();
    }

    /** True while the view follows the panel size (fit). */
    public ReadOnlyBooleanProperty fitted() {
        return fitted.getReadOnlyProperty();
    }

    /** Changes whenever anything that moves the picture changes. */
    public ReadOnlyLongProperty revision() {
        return revision.getReadOnlyProperty();
    }

    public double centerX() {
        return centerX;
    }

    public double centerY() {
        return centerY;
    }

    public double imageWidth() {
        return imageWidth;
    }

    public double imageHeight() {
        return imageHeight;
    }

    /** The image's size in its own pixels; a new image is fitted. */
    public void setImageSize(double width, double height) {
        if (width == imageWidth && height == imageHeight) return;
        imageWidth = Math.max(1, width);
        imageHeight = Math.max(1, height);
        fit();
    }

    /** The size of a panel (all panels are laid out alike; the smallest one is given). */
    public void setViewSize(double width, double height) {
        if (width == viewWidth && height == viewHeight) return;
        viewWidth = Math.max(1, width);
        viewHeight = Math.max(1, height);
        if (fitted.get()) fit();
        else changed();
    }

    public double fitScale() {
        return FIT_MARGIN * Math.min(viewWidth / imageWidth, viewHeight / imageHeight);
    }

    public double minScale() {
        return Math.min(fitScale(), 1) / 4;
    }

    public void fit() {
        scale.set(fitScale());
        centerX = imageWidth / 2;
        centerY = imageHeight / 2;
        fitted.set(true);
        changed();
    }

    /** One image pixel per screen pixel, keeping the centre. */
    public void actualSize() {
        zoomTo(1, viewWidth / 2, viewHeight / 2, viewWidth, viewHeight);
    }

    /** Zooms in or out by {@code factor} about the panels' centre. */
    public void zoomBy(double factor) {
        zoomTo(scale.get() * factor, viewWidth / 2, viewHeight / 2, viewWidth, viewHeight);
    }

    /**
     * Multiplies the scale by {@code factor}, keeping the image point under screen point (sx, sy) of a panel of
     * {@code panelWidth x panelHeight} where it is.
     */
    public void zoomBy(double factor, double sx, double sy, double panelWidth, double panelHeight) {
        zoomTo(scale.get() * factor, sx, sy, panelWidth, panelHeight);
    }

    private void zoomTo(double newScale, double sx, double sy, double panelWidth, double panelHeight) {
        double s = Math.max(minScale(), Math.min(MAX_SCALE, newScale));
        Point2D anchor = toImage(sx, sy, panelWidth, panelHeight);
        scale.set(s);
        centerX = anchor.getX() - (sx - panelWidth / 2) / s;
        centerY = anchor.getY() - (sy - panelHeight / 2) / s;
        fitted.set(false);
        clampCenter();
        changed();
    }

    /** Moves the picture by (dx, dy) screen pixels. */
    public void panBy(double dx, double dy) {
        centerX -= dx / scale.get();
        centerY -= dy / scale.get();
        fitted.set(false);
        clampCenter();
        changed();
    }

    /** The image point under screen point (sx, sy) of a panel of {@code panelWidth x panelHeight}. */
    public Point2D toImage(double sx, double sy, double panelWidth, double panelHeight) {
        return new Point2D(centerX + (sx - panelWidth / 2) / scale.get(), centerY + (sy - panelHeight / 2) / scale.get());
    }

    /** Where image column {@code imageX} is on a panel {@code panelWidth} wide. */
    public double screenX(double imageX, double panelWidth) {
        return (imageX - centerX) * scale.get() + panelWidth / 2;
    }

    public double screenY(double imageY, double panelHeight) {
        return (imageY - centerY) * scale.get() + panelHeight / 2;
    }

    /** The picture never leaves the panel entirely: the centre stays on the image. */
    private void clampCenter() {
        centerX = Math.max(0, Math.min(imageWidth, centerX));
        centerY = Math.max(0, Math.min(imageHeight, centerY));
    }

    private void changed() {
        revision.set(revision.get() + 1);
    }
}
