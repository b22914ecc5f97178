package dev.minnow.train;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.errors.ShapeException;
import dev.minnow.tensor.Tensor;

/** The losses Minnow trains with. Each returns the batch mean and d loss / d output. */
public final class Losses {
    private Losses() {
    }

    /** Softmax cross-entropy from logits, no label smoothing. */
    public static Loss crossEntropy() {
        return crossEntropy(0);
    }

    /**
     * Softmax cross-entropy from logits against labels smoothed towards uniform:
     * target q = (1 - s) onehot + s / C. Uses a stable log-softmax (max subtracted).
     */
    public static Loss crossEntropy(double labelSmoothing) {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new InvalidInputException("label smoothing must be in [0, 1), got " + labelSmoothing);
        }
        return new Loss() {
            @Override
            public LossValue compute(Tensor output, Targets targets) {
                int n = batch(output);
                int c = output.size() / n;
                int[] labels = labelsOf(targets, n, c);
                float[] z = output.floats();
                float[] grad = new float[z.length];
                double[] logp = new double[c];
                double total = 0;
                for (int i = 0; i < n; i++) {
                    logSoftmax(z, i * c, c, 1, logp);
                    for (int j = 0; j < c; j++) {
                        double q = labelSmoothing / c + (j == labels[i] ? 1 - labelSmoothing : 0);
                        total -= q * logp[j];
                        grad[i * c + j] = (float) ((Math.exp(logp[j]) - q) / n);
                    }
                }
                return new LossValue(total / n, Tensor.of(output.shape(), grad));
            }

            @Override
            public String describe() {
                return "cross-entropy(smoothing=" + labelSmoothing + ")";
            }
        };
    }

    /**
     * Mean squared error over all elements, mean((y - t)^2). The target is
     * {@code targets.values()} when given, else the one-hot encoding of the labels.
     */
    public static Loss mse() {
        return new Loss() {
            @Override
            public LossValue compute(Tensor output, Targets targets) {
                int n = batch(output);
                float[] y = output.floats();
                float[] t = targets.values() != null ? valuesOf(targets, output) : oneHot(labelsOf(targets, n, y.length / n), n, y.length / n);
                float[] grad = new float[y.length];
                double total = 0;
                for (int i = 0; i < y.length; i++) {
                    double d = (double) y[i] - t[i];
                    total += d * d;
                    grad[i] = (float) (2 * d / y.length);
                }
                return new LossValue(total / y.length, Tensor.of(output.shape(), grad));
            }

            @Override
            public String describe() {
                return "mse";
            }
        };
    }

    /**
     * Knowledge distillation (Hinton et al. 2015): T^2 * KL(softmax(teacher / T) || softmax(student / T)),
     * averaged over the batch; {@code targets.values()} holds the teacher's logits. The T^2 factor keeps
     * gradient magnitudes comparable across temperatures.
     */
    public static Loss klDivergence(double temperature) {
        if (!(temperature > 0)) {
            throw new InvalidInputException("distillation temperature must be positive, got " + temperature);
        }
        return new Loss() {
            @Override
            public LossValue compute(Tensor output, Targets targets) {
                int n = batch(output);
                int c = output.size() / n;
                float[] s = output.floats();
                float[] t = valuesOf(targets, output);
                float[] grad = new float[s.length];
                double[] logPs = new double[c];
                double[] logPt = new double[c];
                double total = 0;
                double invT = 1 / temperature;
                for (int i = 0; i < n; i++) {
                    logSoftmax(s, i * c, c, invT, logPs);
                    logSoftmax(t, i * c, c, invT, logPt);
                    for (int j = 0; j < c; j++) {
                        double pt = Math.exp(logPt[j]);
                        total += pt * (logPt[j] - logPs[j]);
                        // d/ds of T^2 * KL = T^2 * (ps - pt) / T
                        grad[i * c + j] = (float) (temperature * (Math.exp(logPs[j]) - pt) / n);
                    }
                }
                return new LossValue(temperature * temperature * total / n, Tensor.of(output.shape(), grad));
            }

            @Override
            public String describe() {
                return "kl-divergence(T=" + temperature + ")";
            }
        };
    }

    /** wa * a + wb * b, e.g. distillation: weighted(klDivergence(4), 0.9, crossEntropy(), 0.1). */
    public static Loss weighted(Loss a, double wa, Loss b, double wb) {
        return new Loss() {
            @Override
            public LossValue compute(Tensor output, Targets targets) {
                LossValue la = a.compute(output, targets);
                LossValue lb = b.compute(output, targets);
                float[] ga = la.gradient().floats();
                float[] gb = lb.gradient().floats();
                float[] g = new float[ga.length];
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) (wa * ga[i] + wb * gb[i]);
                }
                return new LossValue(wa * la.loss() + wb * lb.loss(), Tensor.of(output.shape(), g));
            }

            @Override
            public String describe() {
                return wa + "*" + a.describe() + "+" + wb + "*" + b.describe();
            }
        };
    }

    /** log softmax(scale * x[off .. off+c)) into out, in double, with the max subtracted first. */
    static void logSoftmax(float[] x, int off, int c, double scale, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) {
            max = Math.max(max, scale * x[off + j]);
        }
        double sum = 0;
        for (int j = 0; j < c; j++) {
            sum += Math.exp(scale * x[off + j] - max);
        }
        double logSum = max + Math.log(sum);
        for (int j = 0; j < c; j++) {
            out[j] = scale * x[off + j] - logSum;
        }
    }

    private static int batch(Tensor output) {
        if (output.shape().rank() < 1 || output.shape().dim(0) < 1) {
            throw new ShapeException("a loss needs an output with a batch dimension, got " + output.shape());
        }
        return output.shape().dim(0);
    }

    private static int[] labelsOf(Targets targets, int n, int classes) {
        int[] labels = targets.labels();
        if (labels == null || labels.length < n) {
            throw new InvalidInputException("this loss needs " + n + " class labels, got "
                    + (labels == null ? "none" : labels.length));
        }
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new InvalidInputException("label " + labels[i] + " is outside the model's " + classes
                        + " classes: does the dataset match the model?");
            }
        }
        return labels;
    }

    private static float[] valuesOf(Targets targets, Tensor output) {
        Tensor v = targets.values();
        if (v == null || v.size() != output.size()) {
            throw new InvalidInputException("this loss needs target values of shape " + output.shape() + ", got "
                    + (v == null ? "none" : v.shape().toString()));
        }
        return v.floats();
    }

    private static float[] oneHot(int[] labels, int n, int classes) {
        float[] t = new float[n * classes];
        for (int i = 0; i < n; i++) {
            t[i * classes + labels[i]] = 1;
        }
        return t;
    }
}
