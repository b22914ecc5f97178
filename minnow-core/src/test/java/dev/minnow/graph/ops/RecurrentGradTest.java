package dev.minnow.graph.ops;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.OpRegistry;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Finite-difference checks of RNN, GRU and LSTM backpropagation through time. */
class RecurrentGradTest {
    private static final int SEQ = 3;
    private static final int BATCH = 2;
    private static final int IN = 3;
    private static final int HID = 2;

    /**
     * Inputs X, W, R, B, sequence_lens, initial_h (and initial_c, P for LSTM) of small odd shapes;
     * batch row 1 is one step shorter when withLens.
     */
    static Tensor[] inputs(String type, int dirs, int layout, boolean withLens, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int g = switch (type) {
            case "RNN" -> 1;
            case "GRU" -> 3;
            default -> 4;
        };
        Tensor x = layout == 0 ? GradCheck.random(r, SEQ, BATCH, IN) : GradCheck.random(r, BATCH, SEQ, IN);
        Tensor w = GradCheck.random(r, dirs, g * HID, IN);
        Tensor rr = GradCheck.random(r, dirs, g * HID, HID);
        Tensor b = GradCheck.random(r, dirs, 2 * g * HID);
        Tensor lens = withLens ? Tensor.ofInts(dev.minnow.tensor.Shape.of(BATCH), SEQ, SEQ - 1) : null;
        Tensor h0 = layout == 0 ? GradCheck.random(r, dirs, BATCH, HID) : GradCheck.random(r, BATCH, dirs, HID);
        if (!type.equals("LSTM")) {
            return new Tensor[] {x, w, rr, b, lens, h0};
        }
        Tensor c0 = layout == 0 ? GradCheck.random(r, dirs, BATCH, HID) : GradCheck.random(r, BATCH, dirs, HID);
        Tensor p = GradCheck.random(r, dirs, 3 * HID);
        return new Tensor[] {x, w, rr, b, lens, h0, c0, p};
    }

    static Op op(String type, Object... kv) {
        return OpRegistry.global().create(type, Attributes.of(kv));
    }

    static void check(String type, int dirs, int layout, boolean withLens, Object... kv) {
        Tensor[] in = inputs(type, dirs, layout, withLens, 17 + dirs * 3 + layout);
        int[] idx = type.equals("LSTM") ? new int[] {0, 1, 2, 3, 5, 6, 7} : new int[] {0, 1, 2, 3, 5};
        GradCheck.check(op(type, kv), in, idx, false, 1e-3, 1e-2);
    }

    @Test
    void rnnAllDirectionsAndLayouts() {
        check("RNN", 1, 0, false, "hidden_size", HID);
        check("RNN", 1, 1, true, "hidden_size", HID, "layout", 1, "direction", "reverse");
        check("RNN", 2, 0, true, "hidden_size", HID, "direction", "bidirectional");
        check("RNN", 2, 1, false, "hidden_size", HID, "direction", "bidirectional", "layout", 1);
    }

    @Test
    void rnnActivationDerivatives() {
        String[][] pairs = {{"Sigmoid", "Softsign"}, {"Softplus", "Affine"}, {"LeakyRelu", "ScaledTanh"},
                {"Elu", "HardSigmoid"}, {"Relu", "ThresholdedRelu"}, {"Tanh", "Tanh"}};
        for (String[] pair : pairs) {
            check("RNN", 2, 0, false, "hidden_size", HID, "direction", "bidirectional", "activations", pair,
                    "activation_alpha", new double[] {0.7, 0.3}, "activation_beta", new double[] {0.4, 0.6});
        }
    }

    @Test
    void gruBothResetVariants() {
        check("GRU", 1, 0, true, "hidden_size", HID);
        check("GRU", 2, 1, true, "hidden_size", HID, "direction", "bidirectional", "layout", 1);
        check("GRU", 1, 0, false, "hidden_size", HID, "linear_before_reset", 1, "direction", "reverse");
        check("GRU", 2, 0, true, "hidden_size", HID, "linear_before_reset", 1, "direction", "bidirectional",
                "activations", new String[] {"HardSigmoid", "Softsign", "Sigmoid", "Elu"});
    }

    @Test
    void lstmPeepholesInputForgetAndLayouts() {
        check("LSTM", 1, 0, true, "hidden_size", HID);
        check("LSTM", 2, 1, true, "hidden_size", HID, "direction", "bidirectional", "layout", 1);
        check("LSTM", 1, 0, false, "hidden_size", HID, "input_forget", 1, "direction", "reverse");
        check("LSTM", 2, 0, false, "hidden_size", HID, "direction", "bidirectional",
                "activations", new String[] {"Sigmoid", "Tanh", "Softsign", "HardSigmoid", "Elu", "Tanh"});
    }

    @Test
    void clipStopsTheGradientOfClippedPreActivations() {
        check("RNN", 1, 0, false, "hidden_size", HID, "clip", 0.8);
        check("GRU", 1, 0, false, "hidden_size", HID, "clip", 0.8);
        check("LSTM", 1, 0, false, "hidden_size", HID, "clip", 0.8);
    }

    @Test
    void sequenceLensGetNoGradientAndAbsentInputsStayNull() {
        Tensor[] in = inputs("LSTM", 1, 0, true, 5);
        Tensor[] partial = {in[0], in[1], in[2], null, in[4]};
        Op op = op("LSTM", "hidden_size", HID);
        OpContext ctx = OpContext.training(1);
        Tensor[] out = op.forward(ctx, partial);
        Tensor[] g = op.backward(ctx, partial, out, new Tensor[] {null, out[1], null});
        assertNull(g[3]);
        assertNull(g[4]);
        assertTrue(g[0] != null && g[1] != null && g[2] != null);
        GradCheck.check(op, partial, new int[] {0, 1, 2}, false, 1e-3, 1e-2);
    }
}
