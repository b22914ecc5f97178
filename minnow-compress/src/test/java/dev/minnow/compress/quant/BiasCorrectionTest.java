package dev.minnow.compress.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BiasCorrectionTest {
    private static final Shape SAMPLE = Shape.of(3, 12, 12);

    /** Per Conv/Gemm output value: its per-channel mean over the batches (channel axis 1). */
    private static Map<String, double[]> outputMeans(Graph g, List<Tensor> batches) {
        Set<String> outs = g.nodes().stream().filter(n -> n.opType().equals("Conv") || n.opType().equals("Gemm"))
                .map(n -> n.output(0)).collect(Collectors.toSet());
        Map<String, double[]> sums = new HashMap<>();
        Map<String, Long> counts = new HashMap<>();
        InferenceExecutor x = InferenceExecutor.of(g, ExecutionOptions.builder().observer((v, p, t) -> {
            if (!outs.contains(v)) {
                return;
            }
            int c = t.shape().dim(1);
            int inner = t.size() / t.shape().dim(0) / c;
            double[] s = sums.computeIfAbsent(v, k -> new double[c]);
            for (int i = 0; i < t.size(); i++) {
                s[i / inner % c] += t.floats()[i];
            }
            counts.merge(v, (long) t.size() / c, Long::sum);
        }).build());
        batches.forEach(x::run);
        sums.forEach((v, s) -> {
            for (int i = 0; i < s.length; i++) {
                s[i] /= counts.get(v);
            }
        });
        return sums;
    }

    private static double meanGap(Map<String, double[]> a, Map<String, double[]> b, String value) {
        double s = 0;
        for (int i = 0; i < a.get(value).length; i++) {
            s += Math.abs(a.get(value)[i] - b.get(value)[i]);
        }
        return s / a.get(value).length;
    }

    @Test
    void quantizedLayerOutputsRegainTheFloatMeans() {
        Graph g = QuantTestModels.small(11);
        List<Tensor> calib = QuantTestModels.batches(3, 8, SAMPLE, 3);
        QuantizedWeights q = WeightRounding.nearest(g, QuantScheme.weights(3).withPerChannel(false));
        Graph folded = WeightRounding.folded(g);
        Map<String, double[]> ref = outputMeans(folded, calib);
        Map<String, double[]> before = outputMeans(q.graph(), calib);
        // every position of every image sampled: the corrected means are the float means on this data
        BiasCorrection.Result r = BiasCorrection.correct(g, q, calib, AdaRound.Inputs.QUANTIZED, 1 << 20, 0);
        Map<String, double[]> after = outputMeans(r.graph(), calib);
        assertEquals(5, r.layers().size());
        double gapBefore = 0;
        for (String v : ref.keySet()) {
            double scale = java.util.Arrays.stream(ref.get(v)).map(Math::abs).max().orElse(1);
            assertTrue(meanGap(ref, after, v) < 1e-4 * (1 + scale), v + ": " + meanGap(ref, after, v));
            gapBefore = Math.max(gapBefore, meanGap(ref, before, v));
        }
        assertTrue(gapBefore > 1e-3, "3-bit per-tensor weights shift some layer's mean: " + gapBefore);
        // the weights stay on their grids
        for (Map.Entry<String, QuantParams> e : r.weights().weightParams().entrySet()) {
            Tensor w = r.graph().initializers().get(e.getKey());
            assertTrue(e.getValue().fakeQuantize(w).contentEquals(w), e.getKey());
        }
    }

    @Test
    void floatInputsCorrectTheFirstLayerExactlyAndHelpHeldOutData() {
        Graph g = QuantTestModels.small(12);
        List<Tensor> calib = QuantTestModels.batches(4, 8, SAMPLE, 5);
        QuantizedWeights q = WeightRounding.nearest(g, QuantScheme.weights(3).withPerChannel(false));
        BiasCorrection.Result r = BiasCorrection.correct(g, q, calib, AdaRound.Inputs.FLOAT, 1 << 20, 0);
        Graph folded = WeightRounding.folded(g);
        String first = folded.nodes().stream().filter(n -> n.opType().equals("Conv")).findFirst().map(n -> n.output(0))
                .orElseThrow();
        Map<String, double[]> ref = outputMeans(folded, calib);
        assertTrue(meanGap(ref, outputMeans(r.graph(), calib), first) < 1e-5, "first layer sees float inputs");
        // on other images, the model's output means move towards the float model's
        List<Tensor> held = QuantTestModels.batches(3, 8, SAMPLE, 77);
        Map<String, double[]> refHeld = outputMeans(folded, held);
        String out = g.outputs().getFirst().name();
        double before = meanGap(refHeld, outputMeans(q.graph(), held), out);
        double after = meanGap(refHeld, outputMeans(r.graph(), held), out);
        assertTrue(after < before, "output mean gap before " + before + ", after " + after);
        assertTrue(r.layers().stream().allMatch(l -> l.maxAbsShift() >= l.meanAbsShift()));
        Node conv = r.graph().nodes().stream().filter(n -> n.opType().equals("Conv")).findFirst().orElseThrow();
        assertEquals(3, conv.inputs().size(), "the first conv (no bias before) got one");
    }
}
