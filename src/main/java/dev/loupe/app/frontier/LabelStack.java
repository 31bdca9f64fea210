package dev.loupe.app.frontier;

import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;

/**
 * Places point labels on a chart so that none covers another: each label goes just above and to the right of its
 * marker, and moves up one line at a time while it would overlap a label already placed or a marker to avoid. The
 * baselines of a search (no caching, FORA, T-GATE) sit close together near the bottom left of the frontier, where
 * side-by-side labels would run into each other. One instance serves one drawing of the chart.
 */
final class LabelStack {
    /** Gap between a marker and its label, in pixels. */
    static final double GAP = 5;
    /** Lines a label may climb before it is drawn where it overlaps (a pathological pile of points). */
    static final int MAX_LINES = 12;

    private final List<Rectangle2D> placed = new ArrayList<>();

    /** Forgets every label (a new drawing). */
    void clear() {
        placed.clear();
    }

    /** Keeps labels off {@code area} (a marker). */
    void avoid(Rectangle2D area) {
        placed.add(area);
    }

    /** The box of a {@code width x height} label for the marker at ({@code x}, {@code y}), now taken. */
    Rectangle2D place(double x, double y, double width, double height) {
        Rectangle2D box = null;
        for (int line = 0; line <= MAX_LINES; line++) {
            box = new Rectangle2D.Double(x + GAP, y - GAP - height * (line + 1), width, height);
            if (isFree(box)) break;
        }
        placed.add(box);
        return box;
    }

    private boolean isFree(Rectangle2D box) {
        for (Rectangle2D other : placed) {
            if (other.intersects(box)) return false;
        }
        return true;
    }
}
