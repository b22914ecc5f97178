package dev.minnow.compress.quant;

import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Empirical bias correction (Nagel et al. 2019, section 4.2; Finkelstein et al. 2019): rounding
 * weights shifts each output channel's mean by E[Wq xq] - E[W x], which the next layers see as a
 * bias error; subtracting it from the bias removes it. The expectations come from calibration
 * data, per output channel, over the sampled output positions (padding included, as the
 * convolution sees it).
 *
 * <p>With inputs {@link AdaRound.Inputs#FLOAT} x and xq are both the float model's layer input,
 * so the shift is (Wq - W) E[x]: one pass over the data. With {@link AdaRound.Inputs#QUANTIZED}
 * xq is the input the quantized model (already corrected upstream) sees, layer after layer: two
 * passes per layer, and the shifts include what upstream rounding did to this layer's input.
 * Layers without a bias get one (Conv, Gemm); MatMul layers have no bias slot and are left out.
 */
public final class BiasCorrection {
    /** One layer: its bias initializer and the mean and largest |shift| removed. */
    public record LayerShift(String node, String bias, double meanAbsShift, double maxAbsShift) {
    }

    public record Result(QuantizedWeights weights, List<LayerShift> layers) {
        public Graph graph() {
            return weights.graph();
        }
    }

    private BiasCorrection() {
    }

    /**
     * floatGraph: the model before quantization; quantized: the same model with batch norm folded
     * and weights on their grids (from {@link AdaRound} or {@link WeightRounding}), same node names.
     * calibration: preprocessed input batches. Returns a copy with corrected biases (weights unchanged).
     */
    public static Result correct(Graph floatGraph, QuantizedWeights quantized, List<Tensor> calibration,
            AdaRound.Inputs inputs, int positionsPerImage, long seed) {
        Graph f = WeightRounding.folded(floatGraph);
        Graph q = withBiases(quantized.graph().copy().validate());
        List<WeightLayer> layers = new ArrayList<>();
        for (WeightLayer l : WeightLayer.find(q)) {
            if (l.bias() != null && quantized.weightParams().containsKey(l.weight())) {
                layers.add(l);
            }
        }
        Map<String, Node> floatNodes = new HashMap<>();
        f.nodes().forEach(n -> floatNodes.put(n.name(), n));
        List<LayerShift> shifts = new ArrayList<>();
        List<LayerStatistics> all = inputs == AdaRound.Inputs.FLOAT
                ? LayerStatistics.collect(q, null, layers, calibration, positionsPerImage, seed, false) : null;
        for (int i = 0; i < layers.size(); i++) {
            WeightLayer l = layers.get(i);
            Node fn = floatNodes.get(l.node());
            if (fn == null) {
                continue;
            }
            LayerStatistics st = all != null ? all.get(i)
                    : LayerStatistics.collect(f, q, List.of(l), calibration, positionsPerImage, seed, false).getFirst();
            float[] w = l.rows(f.initializers().get(fn.input(1)));
            float[] wq = l.rows(q.initializers().get(l.weight()));
            Tensor b = q.initializers().get(l.bias());
            float[] bias = b.floats().clone();
            int k = l.rowLength();
            int mg = l.rowsPerGroup();
            double sum = 0;
            double max = 0;
            for (int g = 0; g < l.groups(); g++) {
                double[] mf = st.meanF(g);
                double[] mq = st.meanQ(g);
                for (int r = 0; r < mg; r++) {
                    int o = g * mg + r;
                    double shift = 0;
                    for (int j = 0; j < k; j++) {
                        shift += (double) wq[o * k + j] * mq[j] - (double) w[o * k + j] * mf[j];
                    }
                    bias[o] -= (float) shift;
                    sum += Math.abs(shift);
                    max = Math.max(max, Math.abs(shift));
                }
            }
            GraphEditor e = new GraphEditor(q);
            e.replaceInitializer(l.bias(), Tensor.of(b.shape(), bias));
            q = e.commit();
            shifts.add(new LayerShift(l.node(), l.bias(), sum / l.outChannels(), max));
        }
        return new Result(new QuantizedWeights(q, quantized.weightParams()), shifts);
    }

    /** Gives every quantizable Conv and Gemm without a bias a zero bias of its own. */
    private static Graph withBiases(Graph g) {
        GraphEditor e = new GraphEditor(g);
        for (WeightLayer l : WeightLayer.find(g)) {
            Node n = g.nodes().stream().filter(x -> x.name().equals(l.node())).findFirst().orElseThrow();
            if (l.bias() != null || n.opType().equals("MatMul")) {
                continue;
            }
            String bias = e.addInitializer(l.node() + "_bias", Tensor.zeros(Shape.of(l.outChannels())));
            List<String> in = new ArrayList<>(n.inputs().subList(0, 2));
            in.add(bias);
            e.replaceNode(n, new Node(n.name(), n.domain(), n.op(), in, n.outputs()));
        }
        return e.commit();
    }
}
