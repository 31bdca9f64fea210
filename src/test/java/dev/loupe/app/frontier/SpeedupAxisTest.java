package dev.loupe.app.frontier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.ui.RectangleEdge;
import org.junit.jupiter.api.Test;

class SpeedupAxisTest {
    private static final Rectangle2D AREA = new Rectangle2D.Double(50, 10, 800, 300);

    @Test
    void ticksSitEveryHalfOctaveOrEveryOctave() {
        assertEquals(List.of(0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0), SpeedupAxis.tickValues(0.7, 18, true));
        assertEquals(List.of(1.0, 1.5, 2.0, 3.0), SpeedupAxis.tickValues(1, 3, true));
        assertEquals(List.of(1.0, 2.0, 4.0, 8.0, 16.0), SpeedupAxis.tickValues(0.7, 18, false));
        assertEquals(List.of(), SpeedupAxis.tickValues(0, 4, true), "a log axis has no ticks at or below 0");
    }

    @Test
    void equalRatiosTakeEqualRoom() {
        SpeedupAxis axis = new SpeedupAxis("speedup");
        axis.setRange(0.7, 18);
        double oneToTwo = axis.valueToJava2D(2, AREA, RectangleEdge.BOTTOM) - axis.valueToJava2D(1, AREA, RectangleEdge.BOTTOM);
        double eightToSixteen = axis.valueToJava2D(16, AREA, RectangleEdge.BOTTOM) - axis.valueToJava2D(8, AREA, RectangleEdge.BOTTOM);
        assertEquals(oneToTwo, eightToSixteen, 1e-9);
    }

    @Test
    void aNarrowAxisFallsBackToOctavesSoLabelsDoNotOverlap() {
        SpeedupAxis axis = new SpeedupAxis("speedup");
        axis.setRange(0.7, 18);
        assertEquals(List.of("0.75x", "1x", "1.5x", "2x", "3x", "4x", "6x", "8x", "12x", "16x"), labels(axis, AREA));
        assertEquals(List.of("1x", "2x", "4x", "8x", "16x"), labels(axis, new Rectangle2D.Double(50, 10, 160, 300)));
    }

    private static List<String> labels(SpeedupAxis axis, Rectangle2D area) {
        Graphics2D g2 = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            @SuppressWarnings("unchecked")
            List<NumberTick> ticks = axis.refreshTicks(g2, new AxisState(), area, RectangleEdge.BOTTOM);
            return ticks.stream().map(NumberTick::getText).toList();
        } finally {
            g2.dispose();
        }
    }
}
