package dev.minnow.compress.quant;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.kernels.Gemm;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdaRound (Nagel et al. 2020, "Up or Down? Adaptive Rounding for Post-Training Quantization"):
 * each weight is rounded down or up, whichever the layer's outputs on calibration data prefer,
 * instead of to the nearest level. Per layer, with the min-max grid fixed (scale s per output
 * channel), the weight is relaxed to Wq = s * clamp(floor(W / s) + h(V) + z, qmin, qmax) - s z,
 * with the rectified sigmoid h(V) = clip(sigmoid(V) * (zeta - gamma) + gamma, 0, 1), and V is
 * learned with Adam to minimize ||W X - Wq Xq||^2 / P + lambda * sum(1 - |2 h(V) - 1|^beta); beta
 * falls linearly from 20 to 2 after a warm-up without the regularizer, which drives every h to 0
 * or 1. The result rounds up where V >= 0 (h >= 1/2).
 *
 * <p>X holds the layer's input columns from the float model. Xq is either the same (inputs
 * {@link Inputs#FLOAT}: all layers from one pass over the data) or the input the model sees with
 * the layers before it already AdaRounded ({@link Inputs#QUANTIZED}, the paper's asymmetric
 * reconstruction, which also corrects errors made upstream; two passes per layer). Both enter
 * only through second moments ({@link LayerStatistics}), so an Adam step costs one M x K x K GEMM.
 * Batch norm is folded first; the objective is the pre-activation output.
 */
public final class AdaRound {
    private static final double ZETA = 1.1;
    private static final double GAMMA = -0.1;

    /** Where a layer's calibration inputs come from. */
    public enum Inputs { FLOAT, QUANTIZED }

    /**
     * scheme: the weights' scheme (bits, per channel...); bitsByNode overrides bits per layer
     * (node names, e.g. from {@link MixedPrecision}); iterations of Adam per layer at
     * learningRate; regularization: lambda; beta from betaStart to betaEnd after the warm-up
     * fraction; positionsPerImage: output pixels sampled per calibration image per layer.
     */
    public record Settings(QuantScheme scheme, Map<String, Integer> bitsByNode, int iterations, double learningRate,
            double regularization, double betaStart, double betaEnd, double warmup, int positionsPerImage,
            Inputs inputs, long seed) {
        public Settings {
            bitsByNode = Map.copyOf(bitsByNode);
            if (iterations < 1 || !(learningRate > 0) || !(regularization >= 0) || !(warmup >= 0 && warmup < 1)
                    || positionsPerImage < 1) {
                throw new InvalidInputException("AdaRound needs iterations >= 1, a positive learning rate, lambda >= 0, "
                        + "a warm-up fraction in [0, 1) and at least one position per image");
            }
        }

        /** 1000 iterations, Adam at 0.01, lambda 0.01, beta 20 -> 2 after 20%, 64 positions per image, float inputs. */
        public static Settings of(QuantScheme scheme) {
            return new Settings(scheme, Map.of(), 1000, 0.01, 0.01, 20, 2, 0.2, 64, Inputs.FLOAT, 0);
        }

        public Settings withIterations(int n) {
            return new Settings(scheme, bitsByNode, n, learningRate, regularization, betaStart, betaEnd, warmup,
                    positionsPerImage, inputs, seed);
        }

        public Settings withInputs(Inputs in) {
            return new Settings(scheme, bitsByNode, iterations, learningRate, regularization, betaStart, betaEnd, warmup,
                    positionsPerImage, in, seed);
        }

        public Settings withBitsByNode(Map<String, Integer> bits) {
            return new Settings(scheme, bits, iterations, learningRate, regularization, betaStart, betaEnd, warmup,
                    positionsPerImage, inputs, seed);
        }
    }

    /**
     * One layer: the mean squared output error (per output element, on the calibration
     * statistics) with nearest rounding and with AdaRound, and the fraction of weights whose
     * rounding differs from nearest.
     */
    public record LayerReport(String node, String weight, int bits, double mseNearest, double mseAdaRound,
            double changedFraction) {
    }

    public record Result(QuantizedWeights weights, List<LayerReport> layers) {
        public Graph graph() {
            return weights.graph();
        }

        public Map<String, QuantParams> weightParams() {
            return weights.weightParams();
        }
    }

    private AdaRound() {
    }

    /**
     * Quantizes every Conv / Gemm / MatMul weight of graph (a copy, batch norm folded) with
     * learned rounding. calibration: batches of model input (already preprocessed), e.g. 256
     * training images in batches of 32.
     */
    public static Result run(Graph graph, List<Tensor> calibration, Settings s) {
        Graph floatGraph = WeightRounding.folded(graph);
        List<WeightLayer> layers = WeightLayer.find(floatGraph);
        Graph q = floatGraph.copy();
        Map<String, QuantParams> params = new LinkedHashMap<>();
        List<LayerReport> reports = new ArrayList<>();
        List<LayerStatistics> all = s.inputs() == Inputs.FLOAT
                ? LayerStatistics.collect(floatGraph, null, layers, calibration, s.positionsPerImage(), s.seed())
                : null;
        for (int i = 0; i < layers.size(); i++) {
            WeightLayer l = layers.get(i);
            LayerStatistics st = all != null ? all.get(i)
                    : LayerStatistics.collect(floatGraph, q, List.of(l), calibration, s.positionsPerImage(), s.seed())
                            .getFirst();
            Tensor w = floatGraph.initializers().get(l.weight());
            int bits = s.bitsByNode().getOrDefault(l.node(), s.scheme().bits());
            QuantParams p = WeightRounding.params(l, w, s.scheme().withBits(bits));
            float[] rows = l.rows(w);
            float[] nearest = l.rows(p.fakeQuantize(w));
            float[] learned = optimize(l, st, p, rows, s);
            int changed = 0;
            for (int k = 0; k < rows.length; k++) {
                changed += learned[k] != nearest[k] ? 1 : 0;
            }
            reports.add(new LayerReport(l.node(), l.weight(), bits, mse(l, st, rows, nearest), mse(l, st, rows, learned),
                    (double) changed / rows.length));
            GraphEditor e = new GraphEditor(q);
            e.replaceInitializer(l.weight(), l.fromRows(learned, w.shape()));
            q = e.commit();
            params.put(l.weight(), p);
        }
        return new Result(new QuantizedWeights(q, params), reports);
    }

    /** The learned, hard-rounded weight rows of one layer. */
    private static float[] optimize(WeightLayer l, LayerStatistics st, QuantParams p, float[] w, Settings s) {
        int k = l.rowLength();
        int mg = l.rowsPerGroup();
        int n = mg * k;
        float[] out = new float[w.length];
        double columns = st.columns;
        for (int g = 0; g < l.groups(); g++) {
            int off = g * n;
            float[] gqq = toFloat(st.gqq[g]);
            float[] gfq = toFloat(st.gfq[g]);
            float[] target = new float[n]; // W Gfq: constant over the iterations
            Gemm.sgemm(false, false, mg, k, k, 1f, w, off, k, gfq, 0, k, 0f, target, 0, k);
            float[] base = new float[n];
            float[] scale = new float[n];
            float[] zero = new float[n];
            double[] v = new double[n];
            for (int j = 0; j < n; j++) {
                int c = p.isPerChannel() ? g * mg + j / k : 0;
                scale[j] = p.scale()[c];
                zero[j] = p.zeroPoint()[c];
                float x = w[off + j] / scale[j]; // float division, as QuantParams rounds
                base[j] = (float) Math.floor(x);
                double rest = Math.min(Math.max(x - base[j], 1e-4), 1 - 1e-4);
                v[j] = -Math.log((ZETA - GAMMA) / (rest - GAMMA) - 1); // h(V) starts at the fractional part
            }
            double[] m1 = new double[n];
            double[] m2 = new double[n];
            float[] wq = new float[n];
            float[] prod = new float[n];
            double[] sig = new double[n];
            boolean[] inside = new boolean[n];
            int warm = (int) (s.warmup() * s.iterations());
            for (int t = 0; t < s.iterations(); t++) {
                for (int j = 0; j < n; j++) {
                    sig[j] = 1 / (1 + Math.exp(-v[j]));
                    double h = clip01(sig[j] * (ZETA - GAMMA) + GAMMA);
                    double qv = base[j] + h + zero[j];
                    inside[j] = qv >= p.scheme().qmin() && qv <= p.scheme().qmax();
                    wq[j] = (float) ((Math.min(Math.max(qv, p.scheme().qmin()), p.scheme().qmax()) - zero[j]) * scale[j]);
                }
                Gemm.sgemm(false, false, mg, k, k, 1f, wq, 0, k, gqq, 0, k, 0f, prod, 0, k);
                double beta = t < warm ? 0 : s.betaEnd() + (s.betaStart() - s.betaEnd())
                        * (1 - (double) (t - warm) / Math.max(1, s.iterations() - warm));
                double b1t = 1 - Math.pow(0.9, t + 1);
                double b2t = 1 - Math.pow(0.999, t + 1);
                for (int j = 0; j < n; j++) {
                    double hRaw = sig[j] * (ZETA - GAMMA) + GAMMA;
                    if (hRaw <= 0 || hRaw >= 1) {
                        continue; // h is clipped: no gradient flows to V
                    }
                    double dh = inside[j] ? 2 * (prod[j] - target[j]) / columns * scale[j] : 0;
                    if (beta > 0) {
                        double u = 2 * hRaw - 1;
                        dh -= s.regularization() * beta * Math.pow(Math.abs(u), beta - 1) * Math.signum(u) * 2;
                    }
                    double grad = dh * (ZETA - GAMMA) * sig[j] * (1 - sig[j]);
                    m1[j] = 0.9 * m1[j] + 0.1 * grad;
                    m2[j] = 0.999 * m2[j] + 0.001 * grad * grad;
                    v[j] -= s.learningRate() * (m1[j] / b1t) / (Math.sqrt(m2[j] / b2t) + 1e-8);
                }
            }
            for (int j = 0; j < n; j++) {
                double qv = base[j] + (v[j] >= 0 ? 1 : 0) + zero[j];
                out[off + j] = p.dequantize((int) Math.min(Math.max(qv, p.scheme().qmin()), p.scheme().qmax()),
                        p.isPerChannel() ? g * mg + j / k : 0);
            }
        }
        return out;
    }

    private static double clip01(double x) {
        return Math.min(1, Math.max(0, x));
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    /**
     * Mean squared output error per output element of weight rows wq against w on the layer's
     * statistics: (w Gff w - 2 w Gfq wq + wq Gqq wq) / (P M), in double.
     */
    static double mse(WeightLayer l, LayerStatistics st, float[] w, float[] wq) {
        int k = l.rowLength();
        int mg = l.rowsPerGroup();
        double sum = 0;
        for (int g = 0; g < l.groups(); g++) {
            for (int r = 0; r < mg; r++) {
                int off = (g * mg + r) * k;
                if (!st.paired()) {
                    double[] e = new double[k];
                    for (int j = 0; j < k; j++) {
                        e[j] = (double) wq[off + j] - w[off + j];
                    }
                    sum += quad(e, st.gff[g], e, k);
                } else {
                    double[] a = new double[k];
                    double[] b = new double[k];
                    for (int j = 0; j < k; j++) {
                        a[j] = w[off + j];
                        b[j] = wq[off + j];
                    }
                    sum += quad(a, st.gff[g], a, k) - 2 * quad(a, st.gfq[g], b, k) + quad(b, st.gqq[g], b, k);
                }
            }
        }
        return Math.max(0, sum) / ((double) st.columns * l.outChannels());
    }

    private static double quad(double[] a, double[] m, double[] b, int k) {
        double s = 0;
        for (int i = 0; i < k; i++) {
            double r = 0;
            for (int j = 0; j < k; j++) {
                r += m[i * k + j] * b[j];
            }
            s += a[i] * r;
        }
        return s;
    }
}
