package dev.minnow.cli.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.HistogramDataset;
import org.jfree.data.statistics.HistogramType;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

/**
 * The report's charts: JFreeChart plots drawn into JFreeSVG, returned as inline {@code <svg>}
 * elements. Each chart gets its own id prefix for its clip paths so several can share a page.
 */
final class SvgCharts {
    static final int WIDTH = 760;
    static final int HEIGHT = 420;
    private static final Color GRID = new Color(0xdddddd);
    private static final Color TRIED = new Color(0x9e9e9e);
    private static final Color FRONT = new Color(0xd62728);
    private static final Color BEFORE = new Color(0x1f77b4);
    private static final Color AFTER = new Color(0x2ca02c);
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)};

    private SvgCharts() {
    }

    /** A model on the trade-off chart: the original, the one kept, or one that was tried. */
    record Tried(String label, double cost, double top1) {
    }

    /**
     * Accuracy against a cost (size or latency): every tried model in grey, the Pareto front as a
     * red line, the original and the kept model marked. Top-1 is plotted in percent.
     */
    static String tradeoff(String id, String title, String costLabel, boolean logCost, List<Tried> tried,
            Tried before, Tried after) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries all = new XYSeries("tried", false, true);
        List<Pareto.Point> points = new java.util.ArrayList<>();
        for (Tried t : tried) {
            if (usable(t, logCost)) {
                all.add(t.cost(), 100 * t.top1());
                points.add(new Pareto.Point(t.label(), t.cost(), t.top1()));
            }
        }
        // the original and the kept model compete on the front too
        for (Tried t : new Tried[] {before, after}) {
            if (usable(t, logCost)) {
                points.add(new Pareto.Point(t.label(), t.cost(), t.top1()));
            }
        }
        XYSeries front = new XYSeries("Pareto front", false, true);
        for (Pareto.Point p : Pareto.front(points)) {
            front.add(p.cost(), 100 * p.top1());
        }
        data.addSeries(all);
        data.addSeries(front);
        XYSeries b = new XYSeries("original", false, true);
        if (usable(before, logCost)) {
            b.add(before.cost(), 100 * before.top1());
        }
        data.addSeries(b);
        XYSeries a = new XYSeries("compressed", false, true);
        if (usable(after, logCost)) {
            a.add(after.cost(), 100 * after.top1());
        }
        data.addSeries(a);
        JFreeChart chart = ChartFactory.createScatterPlot(title, costLabel, "top-1 (%)", data, PlotOrientation.VERTICAL,
                true, true, false);
        XYPlot plot = chart.getXYPlot();
        if (logCost) {
            // labels at 1-2-5 steps of each decade read better than LogAxis's even steps in log space
            LogarithmicAxis axis = new LogarithmicAxis(costLabel);
            axis.setStrictValuesFlag(false);
            axis.setAutoRangeNextLogFlag(false);
            plot.setDomainAxis(axis);
        }
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer();
        r.setSeriesLinesVisible(0, false);
        r.setSeriesPaint(0, TRIED);
        r.setSeriesShape(0, new Ellipse2D.Double(-3, -3, 6, 6));
        r.setSeriesLinesVisible(1, true);
        r.setSeriesPaint(1, FRONT);
        r.setSeriesStroke(1, new BasicStroke(2f));
        r.setSeriesShape(1, new Ellipse2D.Double(-4, -4, 8, 8));
        r.setSeriesLinesVisible(2, false);
        r.setSeriesPaint(2, BEFORE);
        r.setSeriesShape(2, new Rectangle2D.Double(-6, -6, 12, 12));
        r.setSeriesLinesVisible(3, false);
        r.setSeriesPaint(3, AFTER);
        r.setSeriesShape(3, diamond(8));
        plot.setRenderer(r);
        return svg(style(chart), id);
    }

    private static boolean usable(Tried t, boolean logCost) {
        return t != null && Double.isFinite(t.cost()) && Double.isFinite(t.top1()) && (!logCost || t.cost() > 0);
    }

    /**
     * Overlaid histograms of non-zero weights, as fractions of each set so samples of different
     * sizes compare; pruning shows as a gap around zero, quantization as spikes.
     */
    static String histograms(String id, Map<String, double[]> sets, int bins) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] v : sets.values()) {
            for (double x : v) {
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
        }
        if (!(lo < hi)) {
            lo = lo == Double.POSITIVE_INFINITY ? -1 : lo - 1;
            hi = hi == Double.NEGATIVE_INFINITY ? 1 : hi + 1;
        }
        HistogramDataset data = new HistogramDataset();
        data.setType(HistogramType.RELATIVE_FREQUENCY);
        for (Map.Entry<String, double[]> e : sets.entrySet()) {
            if (e.getValue().length > 0) {
                data.addSeries(e.getKey() + " (" + e.getValue().length + " sampled)", e.getValue(), bins, lo, hi);
            }
        }
        JFreeChart chart = ChartFactory.createHistogram("Non-zero weights", "weight value",
                "fraction of sampled weights", data, PlotOrientation.VERTICAL, true, true, false);
        XYPlot plot = chart.getXYPlot();
        plot.setForegroundAlpha(0.6f);
        XYBarRenderer r = (XYBarRenderer) plot.getRenderer();
        r.setBarPainter(new StandardXYBarPainter());
        r.setShadowVisible(false);
        r.setSeriesPaint(0, BEFORE);
        r.setSeriesPaint(1, FRONT);
        return svg(style(chart), id);
    }

    /** Top-1 against sparsity, one line per layer. */
    static String sensitivity(String id, Map<String, List<double[]>> curves) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, List<double[]>> e : curves.entrySet()) {
            XYSeries s = new XYSeries(e.getKey(), true, true);
            for (double[] p : e.getValue()) {
                s.add(100 * p[0], 100 * p[1]);
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Top-1 when one layer alone is pruned", "sparsity (%)",
                "top-1 (%)", data, PlotOrientation.VERTICAL, true, true, false);
        XYPlot plot = chart.getXYPlot();
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) plot.getRenderer();
        r.setDefaultShapesVisible(true);
        for (int i = 0; i < curves.size(); i++) {
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            r.setSeriesShape(i, new Ellipse2D.Double(-2.5, -2.5, 5, 5));
        }
        return svg(style(chart), id);
    }

    /**
     * Grouped bars: rows are series (e.g. "size"), columns are categories (e.g. "1 prune"); a
     * null value leaves its bar out. zeroBased=false zooms the value axis on the data and draws
     * lines instead of bars.
     */
    static String bars(String id, String title, String valueLabel, Map<String, Map<String, Double>> rows,
            boolean zeroBased) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Map.Entry<String, Map<String, Double>> row : rows.entrySet()) {
            for (Map.Entry<String, Double> cell : row.getValue().entrySet()) {
                data.addValue(cell.getValue(), row.getKey(), cell.getKey());
            }
        }
        // a value axis that does not start at zero would make bar heights lie: zoomed data is a line
        JFreeChart chart = zeroBased
                ? ChartFactory.createBarChart(title, null, valueLabel, data, PlotOrientation.VERTICAL, rows.size() > 1,
                        true, false)
                : ChartFactory.createLineChart(title, null, valueLabel, data, PlotOrientation.VERTICAL, rows.size() > 1,
                        true, false);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        plot.getDomainAxis().setMaximumCategoryLabelLines(2);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(zeroBased);
        plot.setRangeGridlinePaint(GRID);
        if (plot.getRenderer() instanceof BarRenderer r) {
            r.setBarPainter(new StandardBarPainter());
            r.setShadowVisible(false);
            r.setItemMargin(0.05);
        } else if (plot.getRenderer() instanceof LineAndShapeRenderer r) {
            r.setDefaultShapesVisible(true);
            r.setDefaultStroke(new BasicStroke(2f));
            r.setAutoPopulateSeriesStroke(false);
        }
        for (int i = 0; i < rows.size(); i++) {
            plot.getRenderer().setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        chart.setBackgroundPaint(Color.WHITE);
        plot.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        return svg(chart, id);
    }

    private static JFreeChart style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setOutlinePaint(GRID);
        return chart;
    }

    private static java.awt.Shape diamond(double r) {
        java.awt.geom.Path2D.Double p = new java.awt.geom.Path2D.Double();
        p.moveTo(0, -r);
        p.lineTo(r, 0);
        p.lineTo(0, r);
        p.lineTo(-r, 0);
        p.closePath();
        return p;
    }

    /** Draws the chart into SVG with a view box, so CSS can scale it to the page width. */
    static String svg(JFreeChart chart, String id) {
        System.setProperty("java.awt.headless", "true");
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        g.setDefsKeyPrefix(id + "-");
        chart.draw(g, new Rectangle2D.Double(0, 0, WIDTH, HEIGHT));
        return g.getSVGElement(id, true, new ViewBox(0, 0, WIDTH, HEIGHT), null, null);
    }
}
