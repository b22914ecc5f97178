package dev.minnow.onnx;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.errors.MinnowException;
import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain interpreter for inference: runs each node's forward in topological order and keeps
 * every value (no buffer planning). Used by the conformance runner and constant folding, and
 * as an oracle in tests. Before each node it infers the output shapes from the actual inputs
 * and refuses outputs larger than {@link #maxTensorBytes()}, so a hostile model cannot exhaust memory.
 */
public final class GraphRunner {
    private GraphRunner() {
    }

    /** Largest total output of one node in bytes: a quarter of the heap, at most 2 GiB. */
    public static long maxTensorBytes() {
        return Math.min(Runtime.getRuntime().maxMemory() / 4, 1L << 31);
    }

    /** Runs the graph on named inputs and returns the graph outputs by name. */
    public static Map<String, Tensor> run(Graph g, Map<String, Tensor> inputs) {
        Map<String, Tensor> values = new HashMap<>();
        g.initializers().forEach(values::put); // forEach, not the map's views: reading them counts as an edit
        for (Value v : g.inputs()) {
            Tensor t = inputs.get(v.name());
            if (t == null) {
                throw new InvalidInputException("graph input '" + v.name() + "' was not given; the graph needs "
                        + g.inputs().stream().map(Value::name).toList());
            }
            checkInput(v, t);
            values.put(v.name(), t);
        }
        for (Node n : g.nodes()) {
            Tensor[] in = new Tensor[n.inputs().size()];
            for (int i = 0; i < in.length; i++) {
                String s = n.inputs().get(i);
                if (!s.isEmpty()) {
                    in[i] = values.get(s);
                    if (in[i] == null) {
                        throw new InvalidInputException("node '" + n.name() + "' (" + n.opType() + ") reads '" + s
                                + "', which has no value; call Graph.validate() before running");
                    }
                }
            }
            Tensor[] out = runNode(n, in);
            for (int i = 0; i < n.outputs().size(); i++) {
                if (!n.outputs().get(i).isEmpty()) {
                    values.put(n.outputs().get(i), out[i]);
                }
            }
        }
        Map<String, Tensor> r = new LinkedHashMap<>();
        for (Value v : g.outputs()) {
            r.put(v.name(), values.get(v.name()));
        }
        return r;
    }

    private static void checkInput(Value v, Tensor t) {
        TensorType want = v.type();
        if (want == null) {
            return;
        }
        boolean ok = want.dtype() == t.dtype() && want.shape().rank() == t.shape().rank();
        for (int i = 0; ok && i < want.shape().rank(); i++) {
            ok = want.shape().dim(i) == Shape.UNKNOWN || want.shape().dim(i) == t.shape().dim(i);
        }
        if (!ok) {
            throw new InvalidInputException("graph input '" + v.name() + "' must be " + want + " but is "
                    + t.dtype().label + t.shape() + "; give a tensor of the declared type and shape");
        }
    }

    /** Runs one node in inference mode with the size guard; op crashes become {@link OpFailedException}. */
    public static Tensor[] runNode(Node n, Tensor[] in) {
        String where = "node '" + n.name() + "' (" + n.opType() + ")";
        List<TensorType> types = new ArrayList<>();
        for (Tensor t : in) {
            types.add(t == null ? null : new TensorType(t.dtype(), t.shape()));
        }
        Tensor[] out;
        try {
            List<TensorType> expected = n.op().inferTypes(types, Arrays.asList(in));
            long bytes = 0;
            for (TensorType t : expected) {
                if (t != null && t.shape().isStatic()) {
                    // saturating: a hostile shape must not wrap around below the limit
                    long b = Math.multiplyHigh(t.shape().size(), t.dtype().bytes) != 0 ? Long.MAX_VALUE
                            : t.shape().size() * t.dtype().bytes;
                    bytes = b > Long.MAX_VALUE - bytes ? Long.MAX_VALUE : bytes + b;
                }
            }
            if (bytes > maxTensorBytes()) {
                throw new ShapeException(where + " would produce " + bytes + " bytes of output, more than the limit of "
                        + maxTensorBytes() + "; the model's shapes are wrong or too large for this heap (raise -Xmx)");
            }
            out = n.op().forward(OpContext.inference(), in);
        } catch (MinnowException e) {
            throw OnnxReader.rethrow(e, e.getMessage().contains(where) ? "" : where + ": ");
        } catch (RuntimeException | StackOverflowError e) {
            throw new OpFailedException(where + " failed: " + e + OpFailedException.origin(e) + ". This is a bug in Minnow's " + n.opType()
                    + " op; please report it with the model", e);
        }
        if (out == null || out.length < n.outputs().size()) {
            throw new OpFailedException(where + " returned " + (out == null ? "nothing" : out.length + " outputs")
                    + " but the node has " + n.outputs().size() + "; this is a bug in Minnow's op", null);
        }
        return out;
    }
}
