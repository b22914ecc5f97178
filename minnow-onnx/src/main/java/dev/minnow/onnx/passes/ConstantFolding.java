package dev.minnow.onnx.passes;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.pass.GraphPass;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.onnx.GraphRunner;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates nodes whose inputs are all constants and turns their outputs into initializers.
 * Shape chains of exporters (Shape -> Gather/Slice -> Unsqueeze -> Concat -> Reshape) fold even
 * when the batch dimension is unknown, as far as the folded value does not depend on it; a
 * Reshape target that copies the unknown batch gets 0 there ({@link ShapeArithmetic}).
 * Random ops, quantize/dequantize (their form is the model's quantization) and nodes feeding a
 * graph output directly are left alone.
 */
public final class ConstantFolding implements GraphPass {
    private static final Set<String> NEVER = Set.of("RandomNormal", "RandomUniform", "RandomNormalLike",
            "RandomUniformLike", "Multinomial", "Bernoulli", "Dropout", "QuantizeLinear", "DequantizeLinear",
            "DynamicQuantizeLinear");
    /** Folding may grow the model only up to this many output elements per node. */
    private static final long SMALL = 1 << 16;

    @Override
    public String name() {
        return "constant-folding";
    }

    /** Runs on the graph as read, before it validates: folding is what makes some graphs valid. */
    @Override
    public boolean needsValidGraph() {
        return false;
    }

    /** Folds graph in place (see {@link #apply(GraphEditor)}); returns the number of nodes folded. */
    public static int apply(Graph g) {
        return (int) new ConstantFolding().apply(new GraphEditor(g)).count("folded");
    }

    /**
     * Runs its own shape inference as it goes, so it works on a graph that does not validate yet
     * because a Reshape or Split needs a computed constant; where inference fails it stops and
     * leaves the error to {@code Graph.validate()}. Counts "folded" nodes and "reshape_targets"
     * made constant.
     */
    @Override
    public PassRecord apply(GraphEditor e) {
        PassRecord.Builder record = PassRecord.of(name()).count("folded", 0).count("reshape_targets", 0);
        try {
            e.sortNodes();
        } catch (InvalidInputException cycle) {
            return record.build(); // Graph.validate() reports the cycle
        }
        Map<String, Tensor> known = new HashMap<>();
        Map<String, TensorType> types = new HashMap<>();
        e.graph().inputs().forEach(v -> types.put(v.name(), v.type()));
        for (String name : e.initializerNames()) {
            Tensor t = e.initializer(name);
            known.put(name, t);
            types.put(name, new TensorType(t.dtype(), t.shape()));
        }
        Map<String, ShapeArithmetic.Sym> syms = new HashMap<>();
        boolean inferring = true;
        for (Node original : List.copyOf(e.graph().nodes())) {
            if (!inferring) {
                break;
            }
            Node n = original;
            if (n.opType().equals("Reshape") && n.domain().isEmpty() && !known.containsKey(n.input(1))) {
                Tensor target = ShapeArithmetic.reshapeTarget(n, syms);
                if (target != null) {
                    String name = e.addInitializer(n.name() + "__shape", target);
                    known.put(name, target);
                    types.put(name, new TensorType(target.dtype(), target.shape()));
                    n = n.withInputs(List.of(n.input(0), name));
                    e.replaceNode(original, n);
                    record.count("reshape_targets", 1).change("Reshape '" + n.name() + "' reads the constant target "
                            + name + " " + Arrays.toString(target.longs()));
                }
            }
            List<TensorType> outTypes = infer(n, types, known);
            if (outTypes == null) {
                inferring = false;
                continue;
            }
            for (int i = 0; i < n.outputs().size() && i < outTypes.size(); i++) {
                if (!n.outputs().get(i).isEmpty() && outTypes.get(i) != null) {
                    types.put(n.outputs().get(i), outTypes.get(i));
                }
            }
            // an output that is also an initializer or input is an error for validate() to report
            if (NEVER.contains(n.opType()) || n.outputs().stream().anyMatch(o -> e.isGraphOutput(o)
                    || e.isGraphInput(o) || e.initializer(o) != null)) {
                continue;
            }
            Tensor[] out = evaluate(types, n, known, syms);
            if (out == null || n.outputs().isEmpty() || out.length < n.outputs().size()) {
                continue; // a node with no outputs is dead (dead-node removal drops it)
            }
            for (int i = 0; i < n.outputs().size(); i++) {
                String o = n.outputs().get(i);
                if (!o.isEmpty()) {
                    known.put(o, out[i]);
                    types.put(o, new TensorType(out[i].dtype(), out[i].shape()));
                }
            }
            e.replaceByConstants(n, Arrays.asList(out).subList(0, n.outputs().size()));
            record.count("folded", 1).change("folded " + n.opType() + " '" + n.name() + "'");
        }
        return record.build();
    }

    private static List<TensorType> infer(Node n, Map<String, TensorType> types, Map<String, Tensor> known) {
        List<TensorType> in = new ArrayList<>();
        List<Tensor> consts = new ArrayList<>();
        for (String s : n.inputs()) {
            if (!s.isEmpty() && !types.containsKey(s)) {
                return null;
            }
            in.add(s.isEmpty() ? null : types.get(s));
            consts.add(s.isEmpty() ? null : known.get(s));
        }
        try {
            return n.op().inferTypes(in, consts);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Tensor[] evaluate(Map<String, TensorType> types, Node n, Map<String, Tensor> known,
            Map<String, ShapeArithmetic.Sym> syms) {
        ShapeArithmetic.Sym sym = ShapeArithmetic.evaluate(n, types, known, syms);
        if (sym != null) {
            if (sym.allKnown()) {
                return new Tensor[] {sym.toTensor()};
            }
            syms.put(n.output(0), sym);
            return null;
        }
        if (n.inputs().stream().allMatch(String::isEmpty)) {
            return null;
        }
        Tensor[] in = new Tensor[n.inputs().size()];
        long inBytes = 0;
        for (int i = 0; i < in.length; i++) {
            String s = n.inputs().get(i);
            if (!s.isEmpty()) {
                in[i] = known.get(s);
                if (in[i] == null) {
                    return null;
                }
                inBytes += (long) in[i].size() * in[i].dtype().bytes;
            }
        }
        for (String o : n.outputs()) {
            TensorType t = o.isEmpty() ? null : types.get(o);
            if (t != null && t.shape().isStatic() && t.shape().size() > SMALL && t.shape().size() * t.dtype().bytes > inBytes) {
                return null;
            }
        }
        try {
            Tensor[] out = GraphRunner.runNode(n, in);
            for (int i = 0; i < n.outputs().size(); i++) {
                if (!n.outputs().get(i).isEmpty() && out[i] == null) {
                    return null;
                }
            }
            return out;
        } catch (RuntimeException e) {
            return null; // left for run time, where the error is reported with the real inputs
        }
    }
}
