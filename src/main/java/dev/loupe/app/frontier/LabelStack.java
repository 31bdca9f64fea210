package dev.loupe.app.frontier;

import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;

/**
 * Places point labels on a chart so that none covers another: each label goes just above and to the right of its
 * marker, and while it would overlap a label already placed or a marker to avoid, it moves up to sit right on top of
 * that one. The baselines of a search (no caching, FORA, T-GATE) sit close together near the bottom left of the
 * frontier, where side-by-side labels would run into each other. One instance serves one drawing of the chart.
 */
final class LabelStack {
    /** Gap between a marker and its label, in pixels. */
    static final double GAP = 5;

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
        Rectangle2D box = new Rectangle2D.Double(x + GAP, y - GAP - height, width, height);
        // The box only moves up, so a blocker it has climbed over never blocks it again: at most one move per box placed.
        // Climbing whole lines instead left slivers between labels of markers a fraction of a pixel apart, and a pile
        // of them ran out of lines.
        for (int moves = 0; moves < placed.size(); moves++) {
            Rectangle2D blocker = overlapped(box);
            if (blocker == null) break;
            double top = blocker.getMinY() - height;
            while (top + height > blocker.getMinY()) top = Math.nextDown(top); // no overlap left by rounding
            box = new Rectangle2D.Double(x + GAP, top, width, height);
        }
        placed.add(box);
        return box;
    }

    /** The first placed box or avoided area that {@code box} overlaps, or null. */
    private Rectangle2D overlapped(Rectangle2D box) {
        for (Rectangle2D other : placed) {
            if (other.intersects(box)) return other;
        }
        return null;
    }
}
