package dev.minnow.hw.energy;

import dev.minnow.graph.CostModel;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpCost;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What compression left in one weight layer (Conv, Gemm, MatMul with a stored weight), read
 * from the graph alone: zeros, bits per stored weight (8 for an integer initializer behind
 * DequantizeLinear, else 32), and the number of distinct values (a clustered layer's codebook:
 * {@code ceil(log2 distinct)} index bits when that is 8 or fewer and below the stored bits).
 *
 * @param activationValues values of the layer's input and output, each moved once
 * @param activationBits   8 when the input comes out of DequantizeLinear (a QDQ model), else 32
 */
public record LayerWeights(String name, String op, long macs, long weights, long nonZero, int weightBits,
                           int distinct, long activationValues, int activationBits) {

    /**
     * Index bits of a weight-shared layer (at most 256 distinct values, as Deep Compression's
     * codebooks), or the stored bits when the layer is not clustered or sharing would not shrink it.
     */
    public int sharedBits() {
        int idx = Math.max(1, 64 - Long.numberOfLeadingZeros(Math.max(1, distinct - 1)));
        return idx > 8 ? weightBits : Math.min(weightBits, idx);
    }

    public double density() {
        return weights == 0 ? 1 : (double) nonZero / weights;
    }

    public static List<LayerWeights> of(Graph g) {
        if (!g.isValidated()) {
            g.validate();
        }
        Map<String, Node> producer = new HashMap<>();
        for (Node n : g.nodes()) {
            for (String o : n.outputs()) {
                producer.put(o, n);
            }
        }
        List<OpCost> costs = CostModel.nodeCosts(g);
        List<LayerWeights> out = new ArrayList<>();
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.nodes().get(i);
            String op = n.opType();
            if (!(op.equals("Conv") || op.equals("FusedConv") || op.equals("Gemm") || op.equals("MatMul")) || n.inputs().size() < 2) {
                continue;
            }
            Tensor w = g.initializers().get(n.input(1));
            int bits = 32;
            double zero = 0;
            if (w == null) {
                Node dq = producer.get(n.input(1));
                if (dq == null || !dq.opType().equals("DequantizeLinear") || !g.initializers().containsKey(dq.input(0))) {
                    continue; // a weight computed at run time: not a stored layer
                }
                w = g.initializers().get(dq.input(0));
                bits = w.dtype().bytes * 8;
                Tensor zp = dq.inputs().size() > 2 && !dq.input(2).isEmpty() ? g.initializers().get(dq.input(2)) : null;
                zero = zp == null || zp.shape().size() != 1 ? 0 : zp.getDouble(0);
            } else if (!w.dtype().isFloating()) {
                bits = w.dtype().bytes * 8;
            }
            long nz = 0;
            Set<Double> values = new HashSet<>();
            int size = w.size();
            for (int k = 0; k < size; k++) {
                double v = w.getDouble(k);
                if (v != zero) {
                    nz++;
                    if (values.size() <= 1 << 16) {
                        values.add(v);
                    }
                }
            }
            long act = 0;
            for (String v : List.of(n.input(0), n.output(0))) {
                TensorType t = g.type(v);
                if (t != null) {
                    long count = 1;
                    for (int d : t.shape().dims()) {
                        count *= Math.max(1, d); // an unknown (batch) dimension counts as 1: one inference
                    }
                    act += count;
                }
            }
            Node in = producer.get(n.input(0));
            int actBits = in != null && in.opType().equals("DequantizeLinear") ? 8 : 32;
            out.add(new LayerWeights(n.name(), op, costs.get(i).macs(), size, nz, bits, values.size() + (nz < size ? 1 : 0),
                    act, actBits));
        }
        return out;
    }
}
