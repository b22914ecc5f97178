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
}
