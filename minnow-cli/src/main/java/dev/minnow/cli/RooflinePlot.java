package dev.minnow.cli;

import dev.minnow.hw.roofline.Roofline;
import java.awt.BasicStroke;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The roofline (all cores and one core) on log-log axes with each MAC-doing layer as a point (PNG). */
final class RooflinePlot {
    private RooflinePlot() {
    }

    static void write(Path png, Roofline all, Roofline one, List<Roofline.Point> points) {
        System.setProperty("java.awt.headless", "true");
        double lo = 0.01;
        double hi = 1000;
        for (Roofline.Point p : points) {
            if (p.macs() > 0) {
                lo = Math.min(lo, p.intensity() / 2);
                hi = Math.max(hi, p.intensity() * 2);
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(roof("roof, all cores", all, lo, hi));
        data.addSeries(roof("roof, one core", one, lo, hi));
        XYSeries layers = new XYSeries("layers (roofline-attainable)", false, true);
        for (Roofline.Point p : points) {
            if (p.macs() > 0) {
                layers.add(p.intensity(), p.attainableGflops());
            }
        }
        data.addSeries(layers);
        JFreeChart chart = ChartFactory.createXYLineChart("Roofline", "arithmetic intensity (FLOP/byte)", "GFLOP/s", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        LogAxis x = new LogAxis("arithmetic intensity (FLOP/byte)");
        LogAxis y = new LogAxis("GFLOP/s");
        plot.setDomainAxis(x);
        plot.setRangeAxis(y);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer();
        r.setSeriesShapesVisible(0, false);
        r.setSeriesShapesVisible(1, false);
        r.setSeriesStroke(0, new BasicStroke(2f));
        r.setSeriesLinesVisible(2, false);
        r.setSeriesShapesVisible(2, true);
        plot.setRenderer(r);
        Charts.save(chart, png, 900, 600);
    }

    private static XYSeries roof(String name, Roofline rl, double lo, double hi) {
        XYSeries s = new XYSeries(name, false, true);
        s.add(lo, rl.attainableGflops(lo));
        if (rl.ridgeIntensity() > lo && rl.ridgeIntensity() < hi) {
            s.add(rl.ridgeIntensity(), rl.peakGflops());
        }
        s.add(hi, rl.attainableGflops(hi));
        return s;
    }
}
