package dev.loupe.eval;

import dev.loupe.tensor.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import java.text.DecimalFormat;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Line and scatter plots saved as PNG (atomically), for benchmark and training curves. A small builder over
 * JFreeChart:
 * <pre>{@code Plots.xy("UPLiFT on the CPU", "tokens", "ms").logLog(true).series("Loupe", xs, ys).lines().save(png, 800, 500);}</pre>
 */
public final class Plots {
    /** Okabe and Ito's colour-blind-safe colours, without their yellow, which is too light on white. */
    private static final Color[] PALETTE = {new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73),
        new Color(0xCC79A7), new Color(0xE69F00), new Color(0x56B4E9), Color.BLACK, new Color(0x999999)};

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<XYSeries> series = new ArrayList<>();
    private boolean logX;
    private boolean logY;
    private boolean lines = true;

    private Plots(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public static Plots xy(String title, String xLabel, String yLabel) {
        return new Plots(title, xLabel, yLabel);
    }

    public Plots logLog(boolean on) {
        logX = on;
        logY = on;
        return this;
    }

    public Plots logX(boolean on) {
        logX = on;
        return this;
    }

    public Plots logY(boolean on) {
        logY = on;
        return this;
    }

    /** Points joined by lines (the default). */
    public Plots lines() {
        lines = true;
        return this;
    }

    /** Points only. */
    public Plots scatter() {
        lines = false;
        return this;
    }

    public Plots series(String name, double[] xs, double[] ys) {
        if (xs.length != ys.length) {
            throw new IllegalArgumentException("series '" + name + "' has " + xs.length + " x values and " + ys.length + " y values");
        }
        XYSeries s = new XYSeries(name, false, true);
        for (int i = 0; i < xs.length; i++) {
            boolean drop = (logX && !(xs[i] > 0)) || (logY && !(ys[i] > 0)) || !Double.isFinite(xs[i]) || !Double.isFinite(ys[i]);
            if (!drop) s.add(xs[i], ys[i]);
        }
        series.add(s);
        return this;
    }

    public JFreeChart chart() {
        XYSeriesCollection data = new XYSeriesCollection();
        series.forEach(data::addSeries);
        ValueAxis x = axis(xLabel, logX);
        ValueAxis y = axis(yLabel, logY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(lines, true);
        for (int i = 0; i < series.size(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(2f));
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, series.size() > 1);
        chart.setBackgroundPaint(Color.WHITE);
        LegendTitle legend = chart.getLegend();
        if (legend != null) {
            legend.setBackgroundPaint(Color.WHITE);
            spaceLegendItems(legend);
        }
        return chart;
    }

    /**
     * Space after each legend entry: JFreeChart's default sets the next entry's marker right after the previous
     * entry's text, so a marker read as the end of the wrong label.
     */
    public static void spaceLegendItems(LegendTitle legend) {
        legend.setItemLabelPadding(new RectangleInsets(2, 4, 2, 18));
    }

    private static ValueAxis axis(String label, boolean log) {
        if (log) {
            // plain numbers at 1, 2, 5 x 10^k reads better than LogAxis's fractional powers of ten
            LogarithmicAxis a = new LogarithmicAxis(label);
            a.setStrictValuesFlag(false);
            a.setAllowNegativesFlag(false);
            a.setNumberFormatOverride(new DecimalFormat("#,##0.###"));
            a.setAutoRangeIncludesZero(false);
            return a;
        }
        NumberAxis a = new NumberAxis(label);
        a.setAutoRangeIncludesZero(false);
        return a;
    }

    /** Writes the chart as a PNG; a half-written file is never left behind. */
    public void save(Path png, int width, int height) throws IOException {
        JFreeChart chart = chart();
        AtomicFiles.write(png, out -> ChartUtils.writeChartAsPNG(out, chart, width, height));
    }
}
