package dev.minnow.hw.roofline;

import dev.minnow.hw.CostReport;
import dev.minnow.hw.LayerCost;
import java.util.ArrayList;
import java.util.List;

/**
 * The roofline model (Williams, Waterman, Patterson, CACM 2009): a layer of arithmetic
 * intensity I (FLOPs per byte of memory traffic) can run at most at min(peak, I x bandwidth).
 * Intensity uses each layer's tensors moved once ({@link LayerCost#arithmeticIntensity()}),
 * so it ignores cache reuse across layers: small models whose activations stay in cache beat
 * the memory roof.
 *
 * @param peakGflops   the compute roof (one core or all cores)
 * @param bandwidthGBs the memory roof's slope
 */
public record Roofline(double peakGflops, double bandwidthGBs) {
    public enum Bound { COMPUTE, MEMORY }

    public Roofline {
        if (!(peakGflops > 0) || !(bandwidthGBs > 0)) {
            throw new IllegalArgumentException("peak and bandwidth must be positive");
        }
    }

    /** The roofline of a machine with all its cores ({@code allCores}) or one. */
    public static Roofline of(Machine m, boolean allCores) {
        return new Roofline(allCores ? m.peakGflops() : m.peakGflopsOneCore(), m.bandwidthGBs());
    }

    /** Intensity where the two roofs meet, FLOPs per byte. */
    public double ridgeIntensity() {
        return peakGflops / bandwidthGBs;
    }

    public double attainableGflops(double intensity) {
        return Math.min(peakGflops, intensity * bandwidthGBs);
    }

    public Bound bound(double intensity) {
        return intensity < ridgeIntensity() ? Bound.MEMORY : Bound.COMPUTE;
    }

    /** Least time for this work: max(FLOPs / peak, bytes / bandwidth), in seconds. */
    public double predictedSeconds(long macs, long bytes) {
        return Math.max(2.0 * macs / (peakGflops * 1e9), bytes / (bandwidthGBs * 1e9));
    }

    /** One layer placed on the roofline. */
    public record Point(String name, String op, long macs, long bytes, double intensity, double attainableGflops,
                        Bound bound, double predictedSeconds) {
    }

    public Point place(LayerCost l) {
        long bytes = l.bytesRead() + l.bytesWritten();
        double ai = l.arithmeticIntensity();
        return new Point(l.name(), l.op(), l.macs(), bytes, ai, attainableGflops(ai), bound(ai),
                predictedSeconds(l.macs(), bytes));
    }

    /** Every layer that moves bytes (all of them count for time, MAC-free ones as memory bound). */
    public List<Point> place(CostReport r) {
        List<Point> out = new ArrayList<>();
        for (LayerCost l : r.layers()) {
            if (l.bytesRead() + l.bytesWritten() > 0) {
                out.add(place(l));
            }
        }
        return out;
    }
}
