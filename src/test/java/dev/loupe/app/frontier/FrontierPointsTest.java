package dev.loupe.app.frontier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.search.Evaluation;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.entity.ChartEntity;
import org.jfree.chart.entity.XYItemEntity;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;

/** The frontier chart's model: which points form the front, where baselines and imports go, hollow estimates. */
class FrontierPointsTest {
    static Evaluation point(String name, double macSpeedup, double measured, double reward, String origin) {
        return new Evaluation(name, CacheSchedule.noCache(2, 2), 1000, macSpeedup, reward, 30, 0.1, measured, origin);
    }

    @Test
    void theFrontKeepsExactlyThePointsNoOtherBeatsOnBothAxes() {
        Random random = new Random(7);
        List<Evaluation> points = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            points.add(point("p" + i, 1 + 3 * random.nextDouble(), random.nextBoolean() ? Double.NaN : 1 + 3 * random.nextDouble(),
                    random.nextDouble(), "generation 1"));
        }
        List<Evaluation> front = FrontierPoints.paretoFront(points);
        for (Evaluation p : points) {
            boolean dominated = false;
            for (Evaluation q : points) {
                double qx = FrontierPoints.speedup(q), px = FrontierPoints.speedup(p);
                if (qx >= px && q.reward() >= p.reward() && (qx > px || q.reward() > p.reward())) dominated = true;
            }
            assertEquals(!dominated, front.contains(p), p + " dominated=" + dominated);
        }
        for (int i = 1; i < front.size(); i++) {
            assertTrue(FrontierPoints.speedup(front.get(i)) > FrontierPoints.speedup(front.get(i - 1)), "ordered by speedup");
            assertTrue(front.get(i).reward() < front.get(i - 1).reward(), "and so by falling reward");
        }
    }

    @Test
    void theFrontIsEstimatedWhileTheSearchRunsAndTimedOnceItHasTimedIt() {
        Evaluation none = point("no-cache", 1, Double.NaN, 0.9, "baseline");
        Evaluation a = point("g1-0", 1.5, Double.NaN, 0.85, "generation 1");
        Evaluation b = point("g1-1", 2.0, Double.NaN, 0.6, "generation 1");
        Evaluation c = point("g1-2", 1.8, Double.NaN, 0.5, "generation 1");
        RunView live = new RunView(Path.of("run"), null, List.of(none, a, b, c), List.of(none), List.of(0.1), List.of(5L));
        assertEquals(List.of(none, a, b), FrontierPoints.of(live, List.of()).front());

        // timed, b turned out slower than its MACs promised and c (never timed) would beat it on the estimate alone
        Evaluation noneTimed = none.withMeasuredSpeedup(1.0), aTimed = a.withMeasuredSpeedup(1.4), bTimed = b.withMeasuredSpeedup(1.6);
        RunView done = new RunView(Path.of("run"), null, List.of(noneTimed, aTimed, bTimed, c), List.of(noneTimed), List.of(0.1),
                List.of(5L));
        assertEquals(List.of(noneTimed, aTimed, bTimed), FrontierPoints.of(done, List.of()).front());
        assertTrue(FrontierPoints.of(done, List.of()).evaluated().contains(c), "the untimed point stays in the cloud");
    }

    @Test
    void measuredSpeedupWinsOverTheMacEstimate() {
        Evaluation estimated = point("a", 2.5, Double.NaN, 0.5, "generation 1");
        Evaluation measured = point("b", 2.5, 1.8, 0.5, "generation 1");
        assertEquals(2.5, FrontierPoints.speedup(estimated));
        assertEquals(1.8, FrontierPoints.speedup(measured));
        assertTrue(FrontierPoints.describe(estimated).contains("estimated from MACs"));
        assertTrue(FrontierPoints.describe(measured).contains("1.80x measured"));
        assertTrue(FrontierPoints.describe(measured).contains("MACs: 1.0 k"), FrontierPoints.describe(measured));
    }

    @Test
    void baselinesAreLabelledMarkersNotCloudPointsAndImportsStandApart() {
        Evaluation none = point("no-cache", 1, 1, 0.9, "baseline");
        Evaluation fora = point("fora-2", 1.9, Double.NaN, 0.7, "heuristic");
        Evaluation a = point("g1-0", 1.5, Double.NaN, 0.85, "generation 1");
        Evaluation b = point("g1-1", 1.4, Double.NaN, 0.6, "generation 1");
        Evaluation mine = point("mine", 3, 2.2, 0.3, "imported");
        RunView run = new RunView(Path.of("run"), null, List.of(none, fora, a, b), List.of(none, fora), List.of(0.1), List.of(5L));
        assertEquals("FORA 2", FrontierPoints.shortName("recompute_all_every_002"));
        assertEquals("no caching", FrontierPoints.shortName("default"));
        assertEquals("T-GATE-like (gate 10)", FrontierPoints.shortName("tgate_without_ca_avg_m_010_sp_001_fi_001_warmup_002"));
        FrontierPoints points = FrontierPoints.of(run, List.of(mine));
        assertEquals(List.of(a, b), points.evaluated());
        assertEquals(List.of(none, fora), points.baselines());
        assertEquals(List.of(none), points.front(), "once anything is timed the front goes through timed points only");
        assertEquals(List.of(mine), points.imported());
        assertTrue(points.anyEstimated());

        FrontierChart chart = new FrontierChart();
        chart.show(points);
        var data = chart.dataset();
        int base = FrontierChart.Kind.BASELINE.ordinal();
        assertEquals(2, data.getItemCount(base));
        assertEquals(1.0, data.getXValue(base, 0));
        assertEquals(0.9, data.getYValue(base, 0));
        assertEquals(1.9, data.getXValue(base, 1), "estimated speedup until measured");
        assertSame(fora, chart.evaluationAt(base, 1));
        int imp = FrontierChart.Kind.IMPORTED.ordinal();
        assertEquals(2.2, data.getXValue(imp, 0));
        assertSame(mine, chart.evaluationAt(imp, 0));
        assertNull(chart.evaluationAt(imp, 1));
        assertEquals(1, data.getItemCount(FrontierChart.Kind.FRONT.ordinal()));

        XYPlot plot = chart.chart().getXYPlot();
        XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) plot.getRenderer();
        assertTrue(r.getItemShapeFilled(base, 0), "measured: filled");
        assertFalse(r.getItemShapeFilled(base, 1), "estimated: hollow");
        assertEquals(" fora-2", r.getItemLabelGenerator(base, 1).generateLabel(data, base, 1));
        assertTrue(r.getItemLineVisible(FrontierChart.Kind.FRONT.ordinal(), 0));
        assertFalse(r.getItemLineVisible(FrontierChart.Kind.EVALUATED.ordinal(), 0));
        assertTrue(r.getToolTipGenerator(imp, 0).generateToolTip(data, imp, 0).startsWith("mine"));
    }

    /** A chart showing a run of {@code baseline} (no caching) and {@code other}. */
    private static FrontierChart chartOf(Evaluation baseline, Evaluation other) {
        FrontierChart chart = new FrontierChart();
        show(chart, baseline, other);
        return chart;
    }

    private static void show(FrontierChart chart, Evaluation baseline, Evaluation other) {
        chart.show(FrontierPoints.of(new RunView(Path.of("run"), null, List.of(baseline, other), List.of(baseline), List.of(), List.of()),
                List.of()));
    }

    @Test
    void aDrawnChartMapsEachItemEntityBackToItsEvaluation() {
        Evaluation none = point("no-cache", 1, 1, 0.9, "baseline");
        Evaluation a = point("g1-0", 1.5, 1.4, 0.85, "generation 1");
        FrontierChart chart = chartOf(none, a);
        chart.select(a);
        assertEquals(List.of(a), chart.series(FrontierChart.Kind.SELECTED));
        ChartRenderingInfo info = new ChartRenderingInfo();
        BufferedImage img = chart.chart().createBufferedImage(600, 400, info);
        assertEquals(600, img.getWidth());
        int found = 0;
        for (Object o : info.getEntityCollection().getEntities()) {
            if (o instanceof XYItemEntity item && item.getSeriesIndex() == FrontierChart.Kind.FRONT.ordinal()) {
                Evaluation e = chart.evaluationAt(item.getSeriesIndex(), item.getItem());
                ChartEntity entity = item;
                assertTrue(entity.getToolTipText().startsWith(e.name()));
                found++;
            }
        }
        assertEquals(2, found, "both front points are clickable");
    }

    @Test
    void laterKindsAreDrawnOnTopSoABaselineOnTheFrontStaysVisible() {
        Evaluation none = point("no-cache", 1, 1, 0.9, "baseline");
        Evaluation a = point("g1-0", 2, 2, 0.5, "generation 1");
        FrontierChart chart = chartOf(none, a); // the baseline is also on the front: two markers at one spot
        assertTrue(chart.series(FrontierChart.Kind.FRONT).contains(none));
        ChartRenderingInfo info = new ChartRenderingInfo();
        BufferedImage img = chart.chart().createBufferedImage(600, 400, info);
        XYPlot plot = chart.chart().getXYPlot();
        var area = info.getPlotInfo().getDataArea();
        int x = (int) Math.round(plot.getDomainAxis().valueToJava2D(1, area, plot.getDomainAxisEdge()));
        int y = (int) Math.round(plot.getRangeAxis().valueToJava2D(0.9, area, plot.getRangeAxisEdge()));
        assertEquals(0x2b2b2b, img.getRGB(x, y) & 0xffffff, "the baseline's dark diamond, not the front's orange, at its centre");
    }

    @Test
    void aBaselineLabelMakesWayForTheSelectedPointsFrame() {
        Evaluation none = point("no-cache", 1, 1, 0.5, "baseline");
        int width = 600, height = 400;
        FrontierChart chart = chartOf(none, point("g1-0", 3, 3, 0.1, "generation 1"));
        XYPlot plot = chart.chart().getXYPlot();
        plot.getDomainAxis().setRange(0.5, 4);
        plot.getRangeAxis().setRange(0, 1);
        ChartRenderingInfo info = new ChartRenderingInfo();
        chart.chart().createBufferedImage(width, height, info);
        var area = info.getPlotInfo().getDataArea();
        double bx = plot.getDomainAxis().valueToJava2D(1, area, plot.getDomainAxisEdge());
        double by = plot.getRangeAxis().valueToJava2D(0.5, area, plot.getRangeAxisEdge());
        // a point up and to the right of the baseline, where its label goes when nothing is in the way
        double sx = bx + 26, sy = by - 13;
        Evaluation near = point("g1-1", plot.getDomainAxis().java2DToValue(sx, area, plot.getDomainAxisEdge()), Double.NaN,
                plot.getRangeAxis().java2DToValue(sy, area, plot.getRangeAxisEdge()), "generation 1");
        show(chart, none, near); // the axes keep the ranges set above

        BufferedImage without = chart.chart().createBufferedImage(width, height);
        chart.select(near);
        BufferedImage with = chart.chart().createBufferedImage(width, height);
        int inside = (int) FrontierChart.SELECTED_RADIUS - 2;
        assertTrue(darkPixels(without, sx, sy, inside) > 0, "the label runs through the point while it is not selected");
        assertEquals(0, darkPixels(with, sx, sy, inside), "no label text inside the selection's frame");
    }

    /** Near-black pixels (label text) in the square of half-size {@code r} around ({@code x}, {@code y}). */
    private static int darkPixels(BufferedImage img, double x, double y, int r) {
        int count = 0;
        for (int j = (int) Math.round(y) - r; j <= (int) Math.round(y) + r; j++) {
            for (int i = (int) Math.round(x) - r; i <= (int) Math.round(x) + r; i++) {
                int rgb = img.getRGB(i, j);
                if (((rgb >> 16) & 0xff) < 80 && ((rgb >> 8) & 0xff) < 80 && (rgb & 0xff) < 80) count++;
            }
        }
        return count;
    }

    @Test
    void anEmptyChartSpansTheSpeedupsSchedulesReachAndAFilledOneItsPoints() {
        FrontierChart chart = new FrontierChart();
        chart.chart().createBufferedImage(600, 400);
        var speedups = chart.chart().getXYPlot().getDomainAxis().getRange();
        assertTrue(speedups.getLowerBound() >= 0.9 && speedups.getLowerBound() <= 1, "empty: from about 1x, got " + speedups);
        assertTrue(speedups.getUpperBound() >= 3, "empty: to at least 3x, got " + speedups);

        Evaluation none = point("no-cache", 1, 1, 0.9, "baseline");
        Evaluation fast = point("g1-0", 5.5, 5.2, 0.6, "generation 1");
        show(chart, none, fast);
        chart.chart().createBufferedImage(600, 400);
        assertTrue(chart.chart().getXYPlot().getDomainAxis().getRange().getUpperBound() > 5.2, "the points decide the range");
    }

    @Test
    void theLabelledBaselinesAreNoCachingForaTwoAndThreeAndTheHalfwayTGate() {
        int steps = 6, blocks = 2;
        List<Evaluation> evaluations = new ArrayList<>();
        var tgate = dev.loupe.ecad.Heuristics.tgate(steps, blocks, 3);
        var fora3 = dev.loupe.ecad.Heuristics.fora(steps, blocks, 3);
        var fora4 = dev.loupe.ecad.Heuristics.fora(steps, blocks, 4);
        var none = dev.loupe.ecad.Heuristics.noCache(steps, blocks);
        for (var h : List.of(tgate, fora4, fora3, none)) {
            evaluations.add(new Evaluation(h.name(), h.schedule(), 1, 1, 0.5, 30, 0, Double.NaN, "heuristic"));
        }
        List<String> names = RunView.baselines(evaluations).stream().map(Evaluation::name).toList();
        assertEquals(List.of(none.name(), fora3.name(), tgate.name()), names, "FORA 2 was not evaluated; FORA 4 is no baseline");
    }

    @Test
    void anEmptyRunShowsNothingButImports() {
        Evaluation mine = point("mine", 3, Double.NaN, 0.3, "imported");
        FrontierPoints points = FrontierPoints.of(null, List.of(mine));
        assertTrue(points.front().isEmpty());
        assertEquals(List.of(mine), points.imported());
    }
}
