package dev.loupe.app.frontier;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The small hypervolume-per-generation plot: the search is converging when it flattens. */
public final class HypervolumeChart {
    private final XYSeries series = new XYSeries("hypervolume", false, false);
    private final JFreeChart chart;

    public HypervolumeChart() {
        NumberAxis x = new NumberAxis("generation");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        NumberAxis y = new NumberAxis("hypervolume");
        y.setAutoRangeIncludesZero(false);
        Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
        for (NumberAxis a : new NumberAxis[] {x, y}) {
            a.setLabelFont(small);
            a.setTickLabelFont(small);
        }
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        r.setSeriesPaint(0, new Color(0x2f9e44));
        r.setSeriesStroke(0, new BasicStroke(1.5f));
        XYPlot plot = new XYPlot(new XYSeriesCollection(series), x, y, r);
        plot.setBackgroundPaint(Color.WHITE);
        chart = new JFreeChart(null, small, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
    }

    public JFreeChart chart() {
        return chart;
    }

    /** One point per generation, numbered from 0 (the seeded initial population) as the search does. */
    public void show(List<Double> hypervolumes) {
        series.clear();
        for (int i = 0; i < hypervolumes.size(); i++) series.add(i, hypervolumes.get(i), false);
        series.fireSeriesChanged();
    }

    public int points() {
        return series.getItemCount();
    }
}
