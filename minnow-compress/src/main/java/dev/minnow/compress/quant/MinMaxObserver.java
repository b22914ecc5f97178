package dev.minnow.compress.quant;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Tensor;

/**
 * The observed minimum and maximum: per tensor, or per channel along an axis (weights' output
 * channels). With momentum in (0, 1) it keeps an exponential moving average of each batch's
 * extremes instead (PyTorch's MovingAverageMinMaxObserver; the first batch sets the start).
 */
public final class MinMaxObserver implements Observer {
    private final int axis;
    private final float momentum;
    private float[] min;
    private float[] max;

    private MinMaxObserver(int axis, float momentum) {
        this.axis = axis;
        this.momentum = momentum;
    }

    public static MinMaxObserver perTensor() {
        return new MinMaxObserver(-1, 0);
    }

    public static MinMaxObserver perChannel(int axis) {
        return new MinMaxObserver(axis, 0);
    }

    /** Moving average of per-batch extremes with this averaging constant (PyTorch uses 0.01). */
    public static MinMaxObserver movingAverage(float momentum) {
        if (!(momentum > 0 && momentum < 1)) {
            throw new InvalidInputException("moving-average momentum must be in (0, 1), got " + momentum);
        }
        return new MinMaxObserver(-1, momentum);
    }

    @Override
    public void observe(Tensor values) {
        float[] v = values.floats();
        int channels = 1;
        int inner = v.length;
        if (axis >= 0) {
            channels = values.shape().dim(axis);
            inner = 1;
            for (int d = axis + 1; d < values.shape().rank(); d++) {
                inner *= values.shape().dim(d);
            }
        }
        float[] bmin = new float[channels];
        float[] bmax = new float[channels];
        java.util.Arrays.fill(bmin, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(bmax, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < v.length; i++) {
            int c = axis >= 0 ? (i / inner) % channels : 0;
            float x = v[i];
            if (Float.isNaN(x)) {
                bmin[c] = Float.NaN;
                bmax[c] = Float.NaN;
                continue;
            }
            if (x < bmin[c]) {
                bmin[c] = x;
            }
            if (x > bmax[c]) {
                bmax[c] = x;
            }
        }
        if (v.length == 0) {
            return;
        }
        if (min == null) {
            min = bmin;
            max = bmax;
            return;
        }
        for (int c = 0; c < channels; c++) {
            if (momentum > 0) {
                min[c] += momentum * (bmin[c] - min[c]);
                max[c] += momentum * (bmax[c] - max[c]);
            } else {
                min[c] = Math.min(min[c], bmin[c]);
                max[c] = Math.max(max[c], bmax[c]);
            }
            if (Float.isNaN(bmin[c])) {
                min[c] = Float.NaN;
                max[c] = Float.NaN;
            }
        }
    }

    @Override
    public boolean isEmpty() {
        return min == null;
    }

    public float[] min() {
        return min.clone();
    }

    public float[] max() {
        return max.clone();
    }

    @Override
    public QuantParams params(QuantScheme s) {
        if (min == null) {
            throw new InvalidInputException("no values were observed; the calibration set is empty");
        }
        if (axis >= 0 && s.perChannel()) {
            return QuantParams.perChannel(s, min, max, axis);
        }
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < min.length; c++) {
            lo = Float.isNaN(min[c]) ? Float.NaN : Math.min(lo, min[c]);
            hi = Float.isNaN(max[c]) ? Float.NaN : Math.max(hi, max[c]);
            if (Float.isNaN(lo)) {
                break;
            }
        }
        return QuantParams.perTensor(s, lo, hi);
    }

    @Override
    public String method() {
        return momentum > 0 ? "moving-minmax" : "minmax";
    }
}
