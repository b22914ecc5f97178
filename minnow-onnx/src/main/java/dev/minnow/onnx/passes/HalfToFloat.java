package dev.minnow.onnx.passes;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.graph.pass.GraphPass;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Upcasts a float16/bfloat16 model to float32: initializers, graph inputs and outputs, and
 * every type-naming attribute ("to" of Cast, "dtype", tensor-valued attributes such as
 * ConstantOfShape's value). Results change only by the rounding the half types would have done.
 */
public final class HalfToFloat implements GraphPass {
    private final OpRegistry registry;

    /** registry re-creates the ops whose attributes change. */
    public HalfToFloat(OpRegistry registry) {
        this.registry = registry;
    }

    @Override
    public String name() {
        return "half-to-float";
    }

    /** Runs on the graph as read, before it validates (its ops' types change here). */
    @Override
    public boolean needsValidGraph() {
        return false;
    }

    private static boolean half(DType t) {
        return t == DType.FLOAT16 || t == DType.BFLOAT16;
    }

    /** Upcasts graph in place; returns the number of tensors, values and nodes changed. */
    public static int apply(Graph g, OpRegistry registry) {
        PassRecord r = new HalfToFloat(registry).apply(new GraphEditor(g));
        return (int) (r.count("initializers") + r.count("inputs") + r.count("outputs") + r.count("nodes"));
    }

    /** Counts "initializers", "inputs", "outputs" and "nodes" upcast, with one change line for each. */
    @Override
    public PassRecord apply(GraphEditor e) {
        PassRecord.Builder record = PassRecord.of(name()).count("initializers", 0).count("inputs", 0)
                .count("outputs", 0).count("nodes", 0);
        for (String name : e.initializerNames()) {
            Tensor t = e.initializer(name);
            if (half(t.dtype())) {
                e.replaceInitializer(name, t.cast(DType.FLOAT32));
                record.count("initializers", 1).change("initializer '" + name + "' " + t.dtype().label + " -> float32");
            }
        }
        for (Value v : List.copyOf(e.graph().inputs())) {
            if (v.type() != null && half(v.type().dtype())) {
                e.setInputType(v.name(), new TensorType(DType.FLOAT32, v.type().shape()));
                record.count("inputs", 1).change("input '" + v.name() + "' " + v.type().dtype().label + " -> float32");
            }
        }
        for (Value v : List.copyOf(e.graph().outputs())) {
            if (v.type() != null && half(v.type().dtype())) {
                e.setOutputType(v.name(), new TensorType(DType.FLOAT32, v.type().shape()));
                record.count("outputs", 1).change("output '" + v.name() + "' " + v.type().dtype().label + " -> float32");
            }
        }
        for (Node n : List.copyOf(e.graph().nodes())) {
            Map<String, Object> attrs = new LinkedHashMap<>(n.attributes().asMap());
            boolean touched = false;
            for (Map.Entry<String, Object> a : attrs.entrySet()) {
                Object v = a.getValue();
                if ((a.getKey().equals("to") || a.getKey().equals("dtype")) && v instanceof Long code
                        && (code == DType.FLOAT16.onnxCode || code == DType.BFLOAT16.onnxCode)) {
                    a.setValue((long) DType.FLOAT32.onnxCode);
                    touched = true;
                } else if (v instanceof Tensor t && half(t.dtype())) {
                    a.setValue(t.cast(DType.FLOAT32));
                    touched = true;
                }
            }
            if (touched) {
                e.replaceNode(n, n.withOp(registry.create(n.opType(), new Attributes(attrs))));
                record.count("nodes", 1).change(n.opType() + " '" + n.name() + "' attributes -> float32");
            }
        }
        return record.build();
    }
}
