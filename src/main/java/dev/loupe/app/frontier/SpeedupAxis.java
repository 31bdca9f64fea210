package dev.loupe.app.frontier;

import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;

/**
 * A speedup axis on a log scale: speedups are ratios, so 1x to 2x takes the room of 8x to 16x, and the schedules that
 * matter (1-3x) are not squeezed to the left by the near-zero-reward ones at 15x. Ticks sit every half octave (1, 1.5,
 * 2, 3, 4, 6, 8, ...) where their labels fit, otherwise every octave.
 */
final class SpeedupAxis extends LogAxis {
    /** Per axis, as a {@code DecimalFormat} is not safe to share between threads; "1.5x" in every locale, as in the rest of the app. */
    private final DecimalFormat tickFormat = new DecimalFormat("0.##'x'", DecimalFormatSymbols.getInstance(Locale.ROOT));
    /** Pixels between neighbouring tick labels. */
    private static final double LABEL_GAP = 8;

    SpeedupAxis(String label) {
        super(label);
        setBase(2);
        setSmallestValue(0.01);
    }

    /** The ticks within [lower, upper]: half octaves (1, 1.5, 2, 3, ...) or, with {@code halfOctaves} false, octaves. */
    static List<Double> tickValues(double lower, double upper, boolean halfOctaves) {
        List<Double> values = new ArrayList<>();
        if (!(lower > 0) || !(upper >= lower)) return values;
        for (int octave = (int) Math.floor(Math.log(lower) / Math.log(2)) - 1; Math.pow(2, octave) <= upper; octave++) {
            double power = Math.pow(2, octave);
            for (double v : halfOctaves ? new double[] {power, 1.5 * power} : new double[] {power}) {
                if (v >= lower && v <= upper) values.add(v);
            }
        }
        return values;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public List refreshTicks(Graphics2D g2, AxisState state, Rectangle2D dataArea, RectangleEdge edge) {
        if (!RectangleEdge.isTopOrBottom(edge)) return super.refreshTicks(g2, state, dataArea, edge);
        TextAnchor anchor = edge == RectangleEdge.TOP ? TextAnchor.BOTTOM_CENTER : TextAnchor.TOP_CENTER;
        List<NumberTick> ticks = ticks(tickValues(getLowerBound(), getUpperBound(), true), anchor);
        if (!labelsFit(g2, ticks, dataArea, edge)) ticks = ticks(tickValues(getLowerBound(), getUpperBound(), false), anchor);
        return ticks;
    }

    private List<NumberTick> ticks(List<Double> values, TextAnchor anchor) {
        List<NumberTick> ticks = new ArrayList<>();
        for (double v : values) ticks.add(new NumberTick(v, tickFormat.format(v), anchor, anchor, 0.0));
        return ticks;
    }

    /** Whether the labels, as they will be drawn, keep {@link #LABEL_GAP} pixels apart. */
    private boolean labelsFit(Graphics2D g2, List<NumberTick> ticks, Rectangle2D dataArea, RectangleEdge edge) {
        Font font = getTickLabelFont();
        FontMetrics metrics = g2.getFontMetrics(font);
        double previousRight = Double.NEGATIVE_INFINITY;
        for (NumberTick tick : ticks) {
            double x = valueToJava2D(tick.getValue(), dataArea, edge);
            double half = metrics.stringWidth(tick.getText()) / 2.0;
            if (x - half < previousRight + LABEL_GAP) return false;
            previousRight = x + half;
        }
        return true;
    }
}
