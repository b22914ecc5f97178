package dev.minnow.compress.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdaRoundTest {
    private static final Shape SAMPLE = Shape.of(3, 12, 12);

    @Test
    void learnedRoundingBeatsNearestOnHeldOutLayerOutputs() {
        Graph g = QuantTestModels.small(3);
        List<Tensor> calib = QuantTestModels.batches(4, 16, SAMPLE, 1);
        List<Tensor> heldOut = QuantTestModels.batches(2, 16, SAMPLE, 99);
        QuantScheme w4 = QuantScheme.weights(4);
        AdaRound.Result ada = AdaRound.run(g, calib, AdaRound.Settings.of(w4).withIterations(500));
        QuantizedWeights rtn = WeightRounding.nearest(g, w4);
        assertEquals(5, ada.layers().size());
        assertEquals(rtn.weightParams().keySet(), ada.weightParams().keySet());

        // per-layer output error on held-out images, each layer fed the float model's inputs
        Graph folded = WeightRounding.folded(g);
        List<WeightLayer> layers = WeightLayer.find(folded);
        List<LayerStatistics> st = LayerStatistics.collect(folded, null, layers, heldOut, 64, 5);
        double sumAda = 0;
        double sumRtn = 0;
        for (int i = 0; i < layers.size(); i++) {
            WeightLayer l = layers.get(i);
            float[] w = l.rows(folded.initializers().get(l.weight()));
            double eAda = AdaRound.mse(l, st.get(i), w, l.rows(ada.graph().initializers().get(l.weight())));
            double eRtn = AdaRound.mse(l, st.get(i), w, l.rows(rtn.graph().initializers().get(l.weight())));
            assertTrue(eAda < eRtn, l.node() + ": AdaRound " + eAda + " vs nearest " + eRtn);
            sumAda += eAda;
            sumRtn += eRtn;
            AdaRound.LayerReport r = ada.layers().get(i);
            assertTrue(r.mseAdaRound() < r.mseNearest(), r.toString());
            assertTrue(r.changedFraction() > 0 && r.changedFraction() < 0.5, r.toString());
        }
        assertTrue(sumAda < 0.8 * sumRtn, "AdaRound " + sumAda + " vs nearest " + sumRtn);

        // the whole model's output drifts less from the float model
        double outAda = 0;
        double outRtn = 0;
        for (Tensor x : heldOut) {
            Tensor ref = InferenceExecutor.of(g).run(x);
            outAda += QuantTestModels.mse(ref, InferenceExecutor.of(ada.graph()).run(x));
            outRtn += QuantTestModels.mse(ref, InferenceExecutor.of(rtn.graph()).run(x));
        }
        assertTrue(outAda < outRtn, "model output MSE: AdaRound " + outAda + " vs nearest " + outRtn);
    }

    @Test
    void weightsSitOnTheirGridAndTheCallersGraphIsUntouched() {
        Graph g = QuantTestModels.small(4);
        Tensor before = g.initializers().values().iterator().next().copy();
        String firstName = g.initializers().keySet().iterator().next();
        AdaRound.Result r = AdaRound.run(g, QuantTestModels.batches(2, 8, SAMPLE, 2),
                AdaRound.Settings.of(QuantScheme.weights(3)).withIterations(100)
                        .withBitsByNode(Map.of(WeightRounding.quantizableNodes(g).getFirst(), 6)));
        assertTrue(before.contentEquals(g.initializers().get(firstName)));
        int levelsSeen = 0;
        for (Map.Entry<String, QuantParams> e : r.weightParams().entrySet()) {
            Tensor w = r.graph().initializers().get(e.getKey());
            Tensor again = e.getValue().fakeQuantize(w);
            assertTrue(again.contentEquals(w), e.getKey() + " is not on its grid");
            java.util.Set<Integer> codes = new java.util.HashSet<>();
            int[] ch = e.getValue().channelIndex(w.shape());
            for (int i = 0; i < w.size(); i++) {
                codes.add(e.getValue().quantize(w.floats()[i], ch[i]));
            }
            int expectBits = e.getKey().equals(r.layers().getFirst().weight()) ? 6 : 3;
            assertEquals(expectBits, e.getValue().scheme().bits());
            assertTrue(codes.size() <= (1 << expectBits) - 1, e.getKey() + " uses " + codes.size() + " codes");
            levelsSeen = Math.max(levelsSeen, codes.size());
        }
        assertTrue(levelsSeen > 7, "the 6-bit layer uses more than 3-bit levels");
    }

    @Test
    void emptyCalibrationIsAClearError() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> AdaRound.run(QuantTestModels.small(1), List.of(), AdaRound.Settings.of(QuantScheme.weights(4))));
        assertTrue(e.getMessage().contains("calibration set is empty"), e.getMessage());
    }
}
