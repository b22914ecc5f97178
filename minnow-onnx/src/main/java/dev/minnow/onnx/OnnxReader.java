package dev.minnow.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.errors.MinnowException;
import dev.minnow.errors.ShapeException;
import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.graph.pass.GraphPass;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.graph.pass.PassResult;
import dev.minnow.graph.pass.Pipeline;
import dev.minnow.onnx.proto.OnnxProto.AttributeProto;
import dev.minnow.onnx.proto.OnnxProto.GraphProto;
import dev.minnow.onnx.proto.OnnxProto.ModelProto;
import dev.minnow.onnx.proto.OnnxProto.NodeProto;
import dev.minnow.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.minnow.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.minnow.onnx.proto.OnnxProto.TensorProto;
import dev.minnow.onnx.proto.OnnxProto.TensorShapeProto;
import dev.minnow.onnx.proto.OnnxProto.TypeProto;
import dev.minnow.onnx.proto.OnnxProto.ValueInfoProto;
import dev.minnow.onnx.passes.ConstantFolding;
import dev.minnow.onnx.passes.DeadNodeRemoval;
import dev.minnow.onnx.passes.HalfToFloat;
import dev.minnow.onnx.passes.NhwcToNchw;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** ModelProto to {@link Graph}: checks, opset-form lifting, op creation, validation and import passes. */
final class OnnxReader {
    static final int MIN_OPSET = 7;
    /** The one version of Minnow's own domain (dev.minnow) so far. */
    static final int MINNOW_OPSET = 1;
    static final int MAX_OPSET = 22;

    private final ReadOptions options;
    private final Path modelDir;
    private final String source;
    private final Map<String, Integer> opsets = new HashMap<>();
    private int nodeCounter;
    private int unsupportedCounter = -1;

    OnnxReader(ReadOptions options, Path modelDir, String source) {
        this.options = options;
        this.modelDir = modelDir;
        this.source = source;
    }

    static ModelProto parse(byte[] bytes, String source) {
        try {
            return ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidInputException(source + " is not a valid ONNX model: the protobuf is truncated or corrupt ("
                    + e.getMessage() + "); re-export or re-download the file");
        }
    }

    Graph read(ModelProto model) {
        return readWithRecords(model).graph();
    }

    /** The validated graph and the records of the import passes that ran, in order. */
    PassResult readWithRecords(ModelProto model) {
        if (!model.hasGraph()) {
            throw new InvalidInputException(source + " holds no graph; it is not an ONNX model or it is corrupt");
        }
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            opsets.put(normalizeDomain(o.getDomain()), (int) Math.min(Integer.MAX_VALUE, Math.max(0, o.getVersion())));
        }
        int opset = opsets.getOrDefault("", model.getIrVersion() < 3 ? 1 : 0);
        boolean usesDefaultDomain = model.getGraph().getNodeList().stream()
                .anyMatch(n -> normalizeDomain(n.getDomain()).isEmpty());
        if (usesDefaultDomain && (opset < MIN_OPSET || opset > MAX_OPSET)) {
            throw new UnsupportedOpException(source + " uses opset " + opset + " of the default ONNX domain; Minnow reads opsets "
                    + MIN_OPSET + " to " + MAX_OPSET + ". Convert it first, e.g. with onnx.version_converter.convert_version(model, 17)");
        }
        reportUnsupported(model.getGraph());
        Graph g = convert(model.getGraph(), true);
        for (StringStringEntryProto e : model.getMetadataPropsList()) {
            g.metadata().put(e.getKey(), e.getValue());
        }
        List<PassRecord> records;
        try {
            // the graph validates before dead-node removal, inside the pipeline: errors get the source here
            records = importPasses().applyAll(new GraphEditor(g));
        } catch (MinnowException e) {
            throw rethrow(e, source + ": ");
        } catch (RuntimeException e) {
            throw inferenceCrashed(e);
        }
        validate(g);
        checkOutputs(g, model.getGraph());
        return new PassResult(g, records);
    }

    /** The passes the options ask for, in the order they must run (the first three before validation). */
    Pipeline importPasses() {
        List<GraphPass> passes = new ArrayList<>();
        if (options.upcastHalf()) {
            passes.add(new HalfToFloat(options.registry()));
        }
        if (options.nchwInputs()) {
            passes.add(new NhwcToNchw());
        }
        if (options.foldConstants()) {
            passes.add(new ConstantFolding());
        }
        if (options.removeDeadNodes()) {
            passes.add(new DeadNodeRemoval());
        }
        return Pipeline.of(passes);
    }

    private static String normalizeDomain(String d) {
        return d.equals("ai.onnx") ? "" : d;
    }

    /** Collects every op the registry lacks (all of them, subgraphs included) into one message. */
    private void reportUnsupported(GraphProto gp) {
        Map<String, List<String>> missing = new TreeMap<>();
        collectUnsupported(gp, missing);
        if (missing.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder(source).append(" uses ").append(missing.size())
                .append(missing.size() == 1 ? " op" : " ops").append(" that Minnow does not support:");
        // a few lines whatever the model: the first ops with their nodes, the rest by name only
        List<String> near = new ArrayList<>();
        int shown = 0;
        for (Map.Entry<String, List<String>> e : missing.entrySet()) {
            String op = e.getKey();
            List<String> nodes = e.getValue();
            if (shown++ == 3) {
                b.append("\n  and ").append(missing.size() - 3).append(" more: ").append(String.join(", ",
                        missing.keySet().stream().skip(3).limit(8).map(k -> k.substring(0, k.indexOf(' '))).toList()))
                        .append(missing.size() > 11 ? ", ..." : "");
                break;
            }
            b.append("\n  ").append(op).append(" at node");
            b.append(nodes.size() > 1 ? "s " : " ").append(String.join(", ", nodes.subList(0, Math.min(3, nodes.size()))));
            if (nodes.size() > 3) {
                b.append(" and ").append(nodes.size() - 3).append(" more");
            }
            String type = op.substring(0, op.indexOf(' '));
            List<String> close = dev.minnow.errors.ClosestNames.of(type, options.registry().supportedTypes(), 2);
            if (!close.isEmpty()) {
                near.add(String.join(", ", close) + " (for " + type + ")");
            }
        }
        if (!near.isEmpty()) {
            b.append("\nSupported ops close to these: ").append(String.join("; ", near));
        }
        b.append("\nReplace these ops before export, or ask for them to be added to Minnow; docs/ONNX_SUPPORT.md"
                + " lists the supported ops (`minnow onnx-conformance` measures them).");
        throw new UnsupportedOpException(b.toString());
    }

    private void collectUnsupported(GraphProto gp, Map<String, List<String>> missing) {
        for (NodeProto n : gp.getNodeList()) {
            unsupportedCounter++;
            String domain = normalizeDomain(n.getDomain());
            int opset = opsets.getOrDefault(domain, 0);
            boolean known;
            if (!domain.isEmpty()) {
                // Minnow's own domain (and contrib ops Minnow implements) round-trip; a version
                // Minnow does not know may mean other semantics, so it is refused
                known = options.registry().supports(domain, n.getOpType())
                        && (!domain.equals(OpRegistry.MINNOW_DOMAIN) || opset == MINNOW_OPSET);
            } else if (n.getOpType().equals("Constant")) {
                known = true;
            } else {
                known = options.registry().supports(n.getOpType().equals("Upsample") ? "Resize" : n.getOpType());
            }
            if (!known) {
                String key = n.getOpType() + " (domain " + (domain.isEmpty() ? "ai.onnx" : domain) + ", opset " + opset + ")";
                missing.computeIfAbsent(key, k -> new ArrayList<>()).add("'" + nodeName(n, unsupportedCounter) + "'");
            }
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    collectUnsupported(a.getG(), missing);
                }
                for (GraphProto sub : a.getGraphsList()) {
                    collectUnsupported(sub, missing);
                }
            }
        }
    }

    private Graph convert(GraphProto gp, boolean top) {
        Graph g = new Graph(gp.getName().isEmpty() ? "main" : gp.getName());
        Map<String, Tensor> constants = new LinkedHashMap<>();
        for (TensorProto t : gp.getInitializerList()) {
            if (t.getName().isEmpty()) {
                throw new InvalidInputException(source + ": an initializer has no name; the model is corrupt");
            }
            if (constants.put(t.getName(), TensorCodec.decode(t, modelDir)) != null) {
                throw new InvalidInputException(source + ": initializer '" + t.getName() + "' is defined twice");
            }
        }
        for (ValueInfoProto vi : gp.getInputList()) {
            if (!constants.containsKey(vi.getName())) {
                g.addInput(new Value(vi.getName(), tensorType(vi, "graph input", top)));
            }
        }
        List<Node> nodes = new ArrayList<>();
        for (NodeProto np : gp.getNodeList()) {
            Node n = convertNode(np, constants);
            if (n != null) {
                nodes.add(n);
            }
        }
        constants.forEach(g::addInitializer);
        g.setNodes(nodes);
        for (ValueInfoProto vi : gp.getOutputList()) {
            g.addOutput(new Value(vi.getName(), vi.hasType() ? tensorType(vi, "graph output", false) : null));
        }
        return g;
    }

    private Node convertNode(NodeProto np, Map<String, Tensor> constants) {
        String domain = normalizeDomain(np.getDomain());
        int opset = opsets.getOrDefault(domain, 0);
        String name = nodeName(np, nodeCounter++);
        String where = source + ": node '" + name + "' (" + np.getOpType() + ", opset " + opset + ")";
        Attributes attrs = new Attributes();
        for (AttributeProto a : np.getAttributeList()) {
            attrs.set(a.getName(), AttributeCodec.decode(a, where, t -> TensorCodec.decode(t, modelDir), sub -> convert(sub, false)));
        }
        if (np.getOpType().equals("Constant") && domain.isEmpty()) {
            if (np.getOutputCount() != 1 || np.getOutput(0).isEmpty()) {
                throw new InvalidInputException(where + " must have exactly one output");
            }
            if (constants.put(np.getOutput(0), constantValue(attrs, where)) != null) {
                throw new InvalidInputException(where + ": value '" + np.getOutput(0) + "' is produced twice");
            }
            return null;
        }
        NodeSpec spec = new NodeSpec(name, np.getOpType(), domain, attrs, np.getInputList(), np.getOutputList(), opset);
        OpsetForms.liftTo13(spec, constants);
        if (spec.type.equals("Split") && domain.isEmpty() && spec.input(1).isEmpty() && !spec.attrs.has("split")
                && !spec.attrs.has("num_outputs")) {
            // equal parts: the op cannot see how many outputs its node has, so say it (opset-18 spelling)
            spec.attrs.set("num_outputs", (long) spec.outputs.size());
        }
        spec.attrs.set("_opset", (long) spec.opset);
        Op op;
        try {
            op = options.registry().create(spec.domain, spec.type, spec.attrs);
        } catch (MinnowException e) {
            throw rethrow(e, where + ": ");
        } catch (RuntimeException e) {
            throw new OpFailedException(where + ": creating the op failed (" + e + OpFailedException.origin(e) + "); the node's attributes are probably"
                    + " invalid (check them against the ONNX operator documentation), and Minnow's op should have said so", e);
        }
        return new Node(name, domain, op, spec.inputs, spec.outputs);
    }

    /** The node's name, or "OpType_index" (index in reading order) for unnamed nodes. */
    private static String nodeName(NodeProto n, int index) {
        return n.getName().isEmpty() ? n.getOpType() + "_" + index : n.getName();
    }

    private static Tensor constantValue(Attributes a, String where) {
        if (a.has("value")) {
            return a.getTensor("value");
        }
        if (a.has("value_float")) {
            return Tensor.scalar((float) a.getFloat("value_float", 0));
        }
        if (a.has("value_floats")) {
            double[] d = a.getFloats("value_floats", new double[0]);
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            return Tensor.of(Shape.of(f.length), f);
        }
        if (a.has("value_int")) {
            return Tensor.ofLongs(Shape.scalar(), a.getInt("value_int", 0));
        }
        if (a.has("value_ints")) {
            long[] v = a.getInts("value_ints", new long[0]);
            return Tensor.ofLongs(Shape.of(v.length), v);
        }
        if (a.has("value_string") || a.has("value_strings") || a.has("sparse_value")) {
            throw new UnsupportedOpException(where + " holds a string or sparse constant, which Minnow does not support");
        }
        throw new InvalidInputException(where + " has no value attribute; the model is corrupt");
    }

    private TensorType tensorType(ValueInfoProto vi, String role, boolean needShape) {
        String what = source + ": " + role + " '" + vi.getName() + "'";
        if (!vi.hasType()) {
            throw new InvalidInputException(what + " has no type; re-export the model with input types");
        }
        TypeProto t = vi.getType();
        if (t.getValueCase() != TypeProto.ValueCase.TENSOR_TYPE) {
            throw new UnsupportedOpException(what + " is a " + t.getValueCase().name().toLowerCase().replace('_', ' ')
                    + "; Minnow supports only tensors");
        }
        DType dtype = TensorCodec.dtype(t.getTensorType().getElemType(), what);
        if (!t.getTensorType().hasShape()) {
            if (needShape) {
                throw new InvalidInputException(what + " has no shape (unknown rank); export the model with a fixed rank");
            }
            return new TensorType(dtype, Shape.scalar());
        }
        List<TensorShapeProto.Dimension> dims = t.getTensorType().getShape().getDimList();
        int[] d = new int[dims.size()];
        for (int i = 0; i < d.length; i++) {
            TensorShapeProto.Dimension dim = dims.get(i);
            if (dim.getValueCase() == TensorShapeProto.Dimension.ValueCase.DIM_VALUE) {
                long v = dim.getDimValue();
                if (v < 0 || v > TensorCodec.MAX_ELEMENTS) {
                    throw new ShapeException(what + " declares dimension " + v + ", which is negative or too large");
                }
                d[i] = (int) v;
            } else {
                d[i] = Shape.UNKNOWN;
            }
        }
        return new TensorType(dtype, Shape.of(d));
    }

    private void validate(Graph g) {
        try {
            g.validate();
        } catch (MinnowException e) {
            throw rethrow(e, source + ": ");
        } catch (RuntimeException e) {
            throw inferenceCrashed(e);
        }
    }

    private OpFailedException inferenceCrashed(RuntimeException e) {
        return new OpFailedException(source + ": shape inference crashed inside an op (" + e + OpFailedException.origin(e)
                + "); the model's shapes probably do not fit its ops, and Minnow's op should have said so", e);
    }

    /** Declared output element types must match what the nodes produce; outputs take the inferred types. */
    private void checkOutputs(Graph g, GraphProto gp) {
        List<Value> outs = new ArrayList<>();
        for (Value v : g.outputs()) {
            TensorType inferred = g.type(v.name());
            if (v.type() != null && inferred != null && v.type().dtype() != inferred.dtype()) {
                Node p = g.producer(v.name());
                throw new ShapeException(source + ": graph output '" + v.name() + "' is declared " + v.type().dtype().label
                        + " but " + (p == null ? "its value" : "node '" + p.name() + "' (" + p.opType() + ")")
                        + " produces " + inferred.dtype().label + "; the model is inconsistent, re-export it");
            }
            outs.add(new Value(v.name(), inferred != null ? inferred : v.type()));
        }
        if (!outs.equals(g.outputs())) {
            g.setOutputs(outs);
            validate(g); // the graph is handed out validated (the types are the same, the version is not)
        }
    }

    /** Same exception kind with context in front; keeps the classification callers rely on. */
    static MinnowException rethrow(MinnowException e, String prefix) {
        String m = prefix + e.getMessage();
        return switch (e) {
            case UnsupportedOpException u -> new UnsupportedOpException(m);
            case ShapeException s -> new ShapeException(m);
            case InvalidInputException i -> new InvalidInputException(m, e);
            default -> new MinnowException(m, e);
        };
    }
}
