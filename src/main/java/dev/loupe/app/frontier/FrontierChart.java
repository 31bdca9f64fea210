package dev.loupe.app.frontier;

import dev.loupe.eval.Plots;
import dev.loupe.search.Evaluation;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.XYItemLabelGenerator;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.PlotRenderingInfo;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYItemRendererState;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.util.ShapeUtils;
import org.jfree.data.Range;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The frontier chart (JFreeChart, no window needed): speedup against reward with one series per kind of point
 * ({@link Kind}); filled markers have a measured speedup, hollow ones a MAC estimate. {@link #show} replaces the
 * points, {@link #select} rings one, and {@link #evaluationAt} maps a clicked chart item back to its evaluation.
 */
public final class FrontierChart {
    /** The series, in drawing order (later ones on top). */
    public enum Kind {
        EVALUATED("evaluated"), FRONT("Pareto front"), BASELINE("baselines"), IMPORTED("imported"), SELECTED("selected");

        private final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** The speedup axis of a chart with no points yet: where caching schedules land (1x is no caching). */
    static final Range EMPTY_SPEEDUPS = new Range(1, 3);

    public static final String ESTIMATE_NOTE = "hollow markers: speedup estimated from MACs (not measured yet)";

    private final XYSeriesCollection dataset = new XYSeriesCollection();
    private final List<List<Evaluation>> items = new ArrayList<>();
    private final JFreeChart chart;
    private final TextTitle estimateNote = new TextTitle(ESTIMATE_NOTE, new Font(Font.SANS_SERIF, Font.ITALIC, 11));
    private FrontierPoints points = FrontierPoints.EMPTY;
    private Evaluation selected;

    public FrontierChart() {
        for (Kind k : Kind.values()) {
            XYSeries s = new XYSeries(k.label, false, true);
            dataset.addSeries(s);
            items.add(new ArrayList<>());
        }
        SpeedupAxis x = new SpeedupAxis("speedup over uncached (log scale)");
        x.setUpperMargin(0.08); // room for an imported schedule's label on the right (a fraction of the log range)
        x.setDefaultAutoRange(EMPTY_SPEEDUPS); // before the first point, not JFreeChart's 0..1
        NumberAxis y = new NumberAxis("reward (prompt adherence)");
        y.setAutoRangeIncludesZero(false);
        XYPlot plot = new XYPlot(dataset, x, y, new Renderer());
        plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD); // Kind's order; XYPlot draws the last series first
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        Plots.spaceLegendItems(chart.getLegend());
        estimateNote.setPosition(RectangleEdge.BOTTOM);
        estimateNote.setPaint(new Color(0x555555));
        estimateNote.setVisible(false);
        chart.addSubtitle(estimateNote);
    }

    public JFreeChart chart() {
        return chart;
    }

    public XYSeriesCollection dataset() {
        return dataset;
    }

    public FrontierPoints points() {
        return points;
    }

    /** Replaces every point (the selection stays when its schedule is still shown). */
    public void show(FrontierPoints next) {
        chart.setNotify(false); // one redraw for the whole update, not one per series
        try {
            points = next;
            fill(Kind.EVALUATED, next.evaluated());
            fill(Kind.FRONT, next.front());
            fill(Kind.BASELINE, next.baselines());
            fill(Kind.IMPORTED, next.imported());
            estimateNote.setVisible(next.anyEstimated());
            select(selected);
        } finally {
            chart.setNotify(true);
        }
    }

    /** Rings {@code e} (null clears the selection). */
    public void select(Evaluation e) {
        selected = e;
        fill(Kind.SELECTED, e == null ? List.of() : List.of(e));
    }

    public Evaluation selected() {
        return selected;
    }

    /** The evaluation behind item {@code item} of series {@code series}, or null. */
    public Evaluation evaluationAt(int series, int item) {
        if (series < 0 || series >= items.size()) return null;
        List<Evaluation> l = items.get(series);
        return item >= 0 && item < l.size() ? l.get(item) : null;
    }

    /** The points of one series, in item order. */
    public List<Evaluation> series(Kind kind) {
        return List.copyOf(items.get(kind.ordinal()));
    }

    private void fill(Kind kind, List<Evaluation> evaluations) {
        XYSeries s = dataset.getSeries(kind.ordinal());
        List<Evaluation> list = items.get(kind.ordinal());
        list.clear();
        s.clear();
        for (Evaluation e : evaluations) {
            s.add(FrontierPoints.speedup(e), e.reward(), false);
            list.add(e);
        }
        s.fireSeriesChanged();
    }

    /** Faint cloud, a connected front, labelled baselines; hollow shapes where the speedup is an estimate. */
    private final class Renderer extends XYLineAndShapeRenderer {
        Renderer() {
            super(false, true);
            Shape dot = new Ellipse2D.Double(-3, -3, 6, 6);
            setSeriesShape(Kind.EVALUATED.ordinal(), dot);
            setSeriesPaint(Kind.EVALUATED.ordinal(), new Color(70, 110, 170, 70));
            setSeriesShape(Kind.FRONT.ordinal(), new Ellipse2D.Double(-4.5, -4.5, 9, 9));
            setSeriesPaint(Kind.FRONT.ordinal(), new Color(0xd9480f));
            setSeriesStroke(Kind.FRONT.ordinal(), new BasicStroke(2f));
            setSeriesLinesVisible(Kind.FRONT.ordinal(), true);
            setSeriesShape(Kind.BASELINE.ordinal(), ShapeUtils.createDiamond((float) MARKER_RADIUS));
            setSeriesPaint(Kind.BASELINE.ordinal(), new Color(0x2b2b2b));
            setSeriesItemLabelsVisible(Kind.BASELINE.ordinal(), true);
            setSeriesItemLabelGenerator(Kind.BASELINE.ordinal(), (data, series, item) -> label(evaluationAt(series, item)));
            setSeriesItemLabelFont(Kind.BASELINE.ordinal(), new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            setSeriesShape(Kind.IMPORTED.ordinal(), ShapeUtils.createUpTriangle((float) MARKER_RADIUS));
            setSeriesPaint(Kind.IMPORTED.ordinal(), new Color(0x7b2cbf));
            setSeriesItemLabelsVisible(Kind.IMPORTED.ordinal(), true);
            setSeriesItemLabelGenerator(Kind.IMPORTED.ordinal(), (data, series, item) -> label(evaluationAt(series, item)));
            setSeriesShape(Kind.SELECTED.ordinal(), markerBox(0, 0, SELECTED_RADIUS));
            setSeriesPaint(Kind.SELECTED.ordinal(), new Color(0x1971c2));
            setSeriesStroke(Kind.SELECTED.ordinal(), new BasicStroke(SELECTED_STROKE));
            setSeriesVisibleInLegend(Kind.SELECTED.ordinal(), false);
            setDrawOutlines(true);
            setDefaultToolTipGenerator((data, series, item) -> {
                Evaluation e = evaluationAt(series, item);
                return e == null ? null : FrontierPoints.describe(e);
            });
        }

        private final LabelStack labels = new LabelStack();

        @Override
        public XYItemRendererState initialise(Graphics2D g2, Rectangle2D dataArea, XYPlot plot, XYDataset data, PlotRenderingInfo info) {
            labels.clear();
            // labels keep off the labelled markers and off the selection's frame, which would otherwise hide under them
            for (Kind marked : List.of(Kind.BASELINE, Kind.IMPORTED, Kind.SELECTED)) {
                double radius = marked == Kind.SELECTED ? SELECTED_RADIUS + SELECTED_STROKE / 2 : MARKER_RADIUS;
                XYSeries s = dataset.getSeries(marked.ordinal());
                for (int i = 0; i < s.getItemCount(); i++) {
                    double x = plot.getDomainAxis().valueToJava2D(s.getX(i).doubleValue(), dataArea, plot.getDomainAxisEdge());
                    double y = plot.getRangeAxis().valueToJava2D(s.getY(i).doubleValue(), dataArea, plot.getRangeAxisEdge());
                    labels.avoid(markerBox(x, y, radius));
                }
            }
            return super.initialise(g2, dataArea, plot, data, info);
        }

        /** Baseline and imported labels climb above their markers until they cover no earlier label, no marker and not the selection. */
        @Override
        protected void drawItemLabel(Graphics2D g2, PlotOrientation orientation, XYDataset data, int series, int item, double x, double y,
                boolean negative) {
            XYItemLabelGenerator generator = getItemLabelGenerator(series, item);
            String text = generator == null ? null : generator.generateLabel(data, series, item);
            if (text == null) return;
            g2.setFont(getItemLabelFont(series, item));
            g2.setPaint(getItemLabelPaint(series, item));
            FontMetrics metrics = g2.getFontMetrics();
            Rectangle2D box = labels.place(x, y, metrics.stringWidth(text), metrics.getHeight());
            if (box.getMaxY() < y - LabelStack.GAP - 1) {
                // lifted above a neighbour's label: a leader line says whose it is
                g2.setStroke(LEADER);
                g2.draw(new Line2D.Double(x, y, box.getMinX(), box.getMaxY() - metrics.getDescent()));
            }
            // the front is drawn before the labels and may run through one: a halo keeps the text readable over it
            Paint textPaint = g2.getPaint();
            g2.setPaint(LABEL_HALO);
            g2.fill(box);
            g2.setPaint(textPaint);
            g2.drawString(text, (float) box.getMinX(), (float) (box.getMaxY() - metrics.getDescent()));
        }

        @Override
        public boolean getItemShapeFilled(int series, int item) {
            if (series == Kind.SELECTED.ordinal()) return false;
            Evaluation e = evaluationAt(series, item);
            return e == null || FrontierPoints.measured(e);
        }
    }

    private static final BasicStroke LEADER = new BasicStroke(0.6f);
    private static final Color LABEL_HALO = new Color(255, 255, 255, 170);
    /** Half the size of a baseline or imported marker, in pixels. */
    private static final double MARKER_RADIUS = 6;
    /** Half the size of the selection's square frame, in pixels. */
    static final double SELECTED_RADIUS = 8;
    private static final float SELECTED_STROKE = 2.5f;

    private static Rectangle2D markerBox(double x, double y, double radius) {
        return new Rectangle2D.Double(x - radius, y - radius, 2 * radius, 2 * radius);
    }

    private static String label(Evaluation e) {
        return e == null ? null : " " + FrontierPoints.shortName(e.name());
    }
}
