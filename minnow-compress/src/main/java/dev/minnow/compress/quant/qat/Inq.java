package dev.minnow.compress.quant.qat;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.GradientHook;
import dev.minnow.train.ParameterConstraint;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Incremental network quantization (Zhou et al. 2017): weights go to powers of two (or zero)
 * group by group, largest magnitudes first, and the float remainder is retrained between steps.
 * One instance is both the {@link GradientHook} that keeps quantized weights from receiving
 * updates and the {@link ParameterConstraint} that holds them at their level after each step.
 * Call {@link #quantizeFraction} with growing fractions (INQ's 0.5, 0.75, 0.875, 1), training
 * in between; at 1 every weight is on its layer's grid.
 *
 * <p>Levels per layer, as in the paper for {@code bits} (one code for zero): with s = max|w|,
 * n1 = floor(log2(4 s / 3)), n2 = n1 + 1 - 2^(bits-2); levels 0 and +-2^n for n2 &lt;= n &lt;= n1,
 * each weight taking its nearest level (zero below 2^n2 / 2).
 */
public final class Inq implements ParameterConstraint, GradientHook {
    private final int bits;
    private final List<String> weights;
    private final Map<String, boolean[]> frozen = new LinkedHashMap<>();
    private final Map<String, float[]> values = new LinkedHashMap<>();

    public Inq(int bits, List<String> weights) {
        if (bits < 2 || bits > 8) {
            throw new InvalidInputException("INQ bits must be between 2 and 8, got " + bits);
        }
        this.bits = bits;
        this.weights = List.copyOf(weights);
    }

    /** Quantizes the largest-magnitude fraction of each weight tensor (those already quantized stay). */
    public void quantizeFraction(Map<String, Tensor> parameters, double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new InvalidInputException("INQ fraction must be in (0, 1], got " + fraction);
        }
        for (String name : weights) {
            Tensor t = parameters.get(name);
            if (t == null) {
                throw new InvalidInputException("no parameter '" + name + "' to quantize");
            }
            float[] w = t.floats();
            boolean[] done = frozen.computeIfAbsent(name, k -> new boolean[w.length]);
            float[] level = values.computeIfAbsent(name, k -> new float[w.length]);
            double max = 0;
            for (float v : w) {
                max = Math.max(max, Math.abs(v));
            }
            int n1 = (int) Math.floor(Math.log(4 * max / 3) / Math.log(2));
            int n2 = n1 + 1 - (1 << (bits - 2));
            float[] sorted = w.clone();
            for (int i = 0; i < sorted.length; i++) {
                sorted[i] = Math.abs(sorted[i]);
            }
            Arrays.sort(sorted);
            int keep = (int) Math.round(w.length * fraction);
            float threshold = keep >= w.length ? -1f : sorted[w.length - keep];
            for (int i = 0; i < w.length; i++) {
                if (!done[i] && (keep >= w.length || Math.abs(w[i]) >= threshold)) {
                    level[i] = max == 0 ? 0f : nearestLevel(w[i], n1, n2);
                    done[i] = true;
                    w[i] = level[i];
                }
            }
        }
    }

    static float nearestLevel(float w, int n1, int n2) {
        double a = Math.abs(w);
        if (a < Math.scalb(1.0, n2) / 2) {
            return 0f;
        }
        double best = Math.scalb(1.0, n2);
        for (int n = n2; n <= n1; n++) {
            double l = Math.scalb(1.0, n);
            if (Math.abs(a - l) < Math.abs(a - best)) {
                best = l;
            }
        }
        return (float) Math.copySign(best, w);
    }

    /** Fraction of this weight's entries already on the grid. */
    public double quantizedFraction(String name) {
        boolean[] d = frozen.get(name);
        if (d == null) {
            return 0;
        }
        int n = 0;
        for (boolean b : d) {
            n += b ? 1 : 0;
        }
        return (double) n / d.length;
    }

    @Override
    public void beforeStep(Map<String, Tensor> parameters, Map<String, Tensor> gradients, long step) {
        frozen.forEach((name, d) -> {
            Tensor g = gradients.get(name);
            if (g != null) {
                float[] gv = g.floats();
                for (int i = 0; i < d.length; i++) {
                    if (d[i]) {
                        gv[i] = 0f;
                    }
                }
            }
        });
    }

    @Override
    public void afterStep(Map<String, Tensor> parameters, long step) {
        frozen.forEach((name, d) -> {
            Tensor t = parameters.get(name);
            if (t != null) {
                float[] w = t.floats();
                float[] l = values.get(name);
                for (int i = 0; i < d.length; i++) {
                    if (d[i]) {
                        w[i] = l[i];
                    }
                }
            }
        });
    }

    @Override
    public String describe() {
        return "inq(" + bits + " bits, " + weights.size() + " weights)";
    }
}
