package dev.minnow.cli;

import dev.minnow.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Line charts and histograms written as PNG (JFreeChart, headless), atomically. */
final class Charts {
    private Charts() {
    }

    /** One named curve: x and y values of equal length. */
    record Series(String name, double[] x, double[] y) {
    }

    static void lines(Path png, String title, String xLabel, String yLabel, List<Series> series) {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        for (Series s : series) {
            XYSeries xy = new XYSeries(s.name(), false, true);
            for (int i = 0; i < s.x().length; i++) {
                xy.add(s.x()[i], s.y()[i]);
            }
            data.addSeries(xy);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(bytes, chart, 900, 560);
            AtomicFiles.write(png, bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Overlaid histograms of several value sets (e.g. weights before and after pruning), zeros
     * left out so a pruned layer's spike at 0 does not flatten the rest.
     */
    static void histograms(Path png, String title, String xLabel, java.util.Map<String, float[]> values, int bins) {
        System.setProperty("java.awt.headless", "true");
        org.jfree.data.statistics.HistogramDataset data = new org.jfree.data.statistics.HistogramDataset();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        java.util.Map<String, double[]> nonZero = new java.util.LinkedHashMap<>();
        for (java.util.Map.Entry<String, float[]> e : values.entrySet()) {
            double[] v = new double[e.getValue().length];
            int n = 0;
            for (float x : e.getValue()) {
                if (x != 0) {
                    v[n++] = x;
                    lo = Math.min(lo, x);
                    hi = Math.max(hi, x);
                }
            }
            nonZero.put(e.getKey() + " (" + n + " non-zero)", java.util.Arrays.copyOf(v, n));
        }
        if (lo >= hi) {
            lo = -1;
            hi = 1;
        }
        for (java.util.Map.Entry<String, double[]> e : nonZero.entrySet()) {
            if (e.getValue().length > 0) {
                data.addSeries(e.getKey(), e.getValue(), bins, lo, hi);
            }
        }
        JFreeChart chart = ChartFactory.createHistogram(title, xLabel, "count", data, PlotOrientation.VERTICAL, true,
                false, false);
        chart.getXYPlot().setForegroundAlpha(0.6f);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(bytes, chart, 900, 560);
            AtomicFiles.write(png, bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a chart as PNG or SVG (JFreeSVG), by the file's extension. */
    static void save(JFreeChart chart, Path file, int width, int height) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        try {
            if (name.endsWith(".svg")) {
                System.setProperty("java.awt.headless", "true");
                org.jfree.svg.SVGGraphics2D g = new org.jfree.svg.SVGGraphics2D(width, height);
                chart.draw(g, new java.awt.geom.Rectangle2D.Double(0, 0, width, height));
                AtomicFiles.write(file, g.getSVGDocument().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } else if (name.endsWith(".png")) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                ChartUtils.writeChartAsPNG(bytes, chart, width, height);
                AtomicFiles.write(file, bytes.toByteArray());
            } else {
                throw new dev.minnow.errors.InvalidInputException("a chart is written as .png or .svg, got " + file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One bar per layer of a numeric key of the layer rows (cost's per-layer energy or cycles). */
    static void layerBars(Path file, String title, String valueLabel, List<java.util.Map<String, Object>> rows, String key) {
        org.jfree.data.category.DefaultCategoryDataset data = new org.jfree.data.category.DefaultCategoryDataset();
        for (java.util.Map<String, Object> row : rows) {
            if (row.get(key) instanceof Number n) {
                data.addValue(n.doubleValue(), key, String.valueOf(row.get("name")));
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(title, "layer", valueLabel, data, PlotOrientation.VERTICAL, false,
                false, false);
        chart.getCategoryPlot().getDomainAxis().setCategoryLabelPositions(
                org.jfree.chart.axis.CategoryLabelPositions.UP_45);
        save(chart, file, Math.max(900, 28 * rows.size()), 600);
    }
}
