package dev.loupe.app.frontier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class LabelStackTest {
    @Test
    void aLoneLabelSitsJustAboveAndRightOfItsMarker() {
        Rectangle2D box = new LabelStack().place(100, 200, 40, 12);
        assertEquals(new Rectangle2D.Double(100 + LabelStack.GAP, 200 - LabelStack.GAP - 12, 40, 12), box);
    }

    @Test
    void labelsOfOnePointClimbLineByLine() {
        LabelStack stack = new LabelStack();
        Rectangle2D first = stack.place(50, 300, 60, 12);
        Rectangle2D second = stack.place(50, 300, 60, 12);
        Rectangle2D third = stack.place(52, 300, 30, 12);
        assertEquals(first.getMinY() - 12, second.getMinY(), 1e-9);
        assertEquals(second.getMinY() - 12, third.getMinY(), 1e-9);
        // far away, a label keeps its own line; a new drawing starts again from the bottom
        assertEquals(300 - LabelStack.GAP - 12, stack.place(400, 300, 60, 12).getMinY(), 1e-9);
        stack.clear();
        assertEquals(first, stack.place(50, 300, 60, 12));
    }

    @Test
    void aLabelClimbsOverAMarkerItWouldCover() {
        LabelStack stack = new LabelStack();
        Rectangle2D marker = new Rectangle2D.Double(120, 180, 12, 12);
        stack.avoid(marker);
        Rectangle2D box = stack.place(100, 200, 40, 12);
        assertFalse(box.intersects(marker), box.toString());
        assertTrue(box.getMaxY() <= marker.getMinY(), box.toString());
    }

    @Test
    void labelsOfMarkersAFractionOfAPixelApartStillNeverOverlap() {
        // jqwik's shrunk counterexample to the old line-by-line climb, which ran out of lines for this pile
        double[] xs = {0.04, 0.03, 0.02, 0.01, 0.0, 0.02, 0.01, 0.0};
        LabelStack stack = new LabelStack();
        List<Rectangle2D> boxes = new ArrayList<>();
        for (double x : xs) boxes.add(stack.place(x, 400 - x / 10, 70, 13));
        for (int i = 0; i < boxes.size(); i++) {
            for (int j = i + 1; j < boxes.size(); j++) assertFalse(boxes.get(i).intersects(boxes.get(j)), boxes.get(i) + " / " + boxes.get(j));
        }
    }

    @Property(tries = 1000)
    void placedLabelsNeverOverlap(@ForAll @Size(min = 1, max = 8) List<@DoubleRange(min = 0, max = 120) Double> xs) {
        LabelStack stack = new LabelStack();
        List<Rectangle2D> boxes = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) boxes.add(stack.place(xs.get(i), 400 - xs.get(i) / 10, 70, 13));
        for (int i = 0; i < boxes.size(); i++) {
            assertTrue(boxes.get(i).getMinX() > xs.get(i), "a label starts right of its marker");
            for (int j = i + 1; j < boxes.size(); j++) assertFalse(boxes.get(i).intersects(boxes.get(j)), boxes.get(i) + " / " + boxes.get(j));
        }
    }
}
