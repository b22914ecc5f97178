package dev.minnow.compress.quant;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.pass.GraphPass;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * Stores a model's float32 weights, biases and batch-norm statistics as float16 or bfloat16:
 * each such initializer is replaced by its half-precision copy followed by a Cast back to
 * float32 under the original name, so every op still computes in float32 and readers are
 * untouched. Half the weight bytes; values change only by the half type's rounding. ONNX Runtime
 * runs the Casts once per run (cheap beside the convolutions); Minnow folds them on import
 * (HalfToFloat upcasts the initializer, constant folding removes the Cast).
 *
 * <p>Full float16 graphs (activations in float16) are not made: ONNX Runtime's CPU provider has
 * float16 kernels for few ops and would insert its own casts around the rest.
 *
 * <p>Record: counts "initializers" converted, measures "bytes_before" and "bytes_after" of the
 * converted tensors.
 */
public final class HalfPrecisionWeights implements GraphPass {
    private final DType target;

    /** target: FLOAT16 or BFLOAT16. */
    public HalfPrecisionWeights(DType target) {
        if (target != DType.FLOAT16 && target != DType.BFLOAT16) {
            throw new InvalidInputException("half-precision weights are float16 or bfloat16, not " + target.label);
        }
        this.target = target;
    }

    @Override
    public String name() {
        return target == DType.FLOAT16 ? "float16-weights" : "bfloat16-weights";
    }

    @Override
    public PassRecord apply(GraphEditor e) {
        Graph g = e.graph();
        PassRecord.Builder r = PassRecord.of(name()).setting("dtype", target.label).count("initializers", 0);
        long before = 0;
        long after = 0;
        for (String name : List.copyOf(e.initializerNames())) {
            Tensor t = e.initializer(name);
            if (t.dtype() != DType.FLOAT32 || e.isGraphOutput(name) || !onlyLearned(g, e, name)) {
                continue;
            }
            Tensor half = t.cast(target);
            g.initializers().remove(name);
            String halfName = e.addInitializer(name + "_" + target.label, half);
            e.addNode(new Node(e.freshName(name + "_cast"),
                    OpRegistry.global().create("Cast", Attributes.of("to", (long) DType.FLOAT32.onnxCode)),
                    List.of(halfName), List.of(name)));
            before += (long) t.size() * DType.FLOAT32.bytes;
            after += (long) half.size() * target.bytes;
            r.count("initializers", 1).change(name + " " + t.shape() + " -> " + target.label);
        }
        return r.measure("bytes_before", before).measure("bytes_after", after).build();
    }

    /** True when every reader uses the tensor as a weight, bias or statistic (never a setting or a scale). */
    private static boolean onlyLearned(Graph g, GraphEditor e, String name) {
        List<Node> readers = e.readers(name);
        if (readers.isEmpty()) {
            return false;
        }
        for (Node n : readers) {
            for (int i = 0; i < n.inputs().size(); i++) {
                if (n.input(i).equals(name)) {
                    InputRole role = InputRole.of(g, n, i);
                    if (!(role.isParameter() || role == InputRole.STATISTIC)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }
}
