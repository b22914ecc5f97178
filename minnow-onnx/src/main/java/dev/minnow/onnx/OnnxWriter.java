package dev.minnow.onnx;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.onnx.proto.OnnxProto.GraphProto;
import dev.minnow.onnx.proto.OnnxProto.ModelProto;
import dev.minnow.onnx.proto.OnnxProto.NodeProto;
import dev.minnow.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.minnow.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.minnow.onnx.proto.OnnxProto.TensorShapeProto;
import dev.minnow.onnx.proto.OnnxProto.TypeProto;
import dev.minnow.onnx.proto.OnnxProto.ValueInfoProto;
import dev.minnow.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link Graph} to ModelProto at opset 17 (newer only when an op needs it): initializers as
 * raw_data, typed inputs and outputs with an unknown batch written as dim_param "N", metadata
 * from {@link Graph#metadata()}. Nodes whose "_opset" form differs from the model's are converted.
 */
final class OnnxWriter {
    static final int DEFAULT_OPSET = 17;
    /** Form assumed for nodes without "_opset" (built in Java): the ops then follow the newest semantics. */
    static final int NEWEST_FORM = OnnxReader.MAX_OPSET;
    static final String PRODUCER = "minnow";
    static final String PRODUCER_VERSION = "0.1.0";
    /** Ops that ONNX added after opset 17, with the opset that introduced them. */
    private static final Map<String, Integer> NEWER_OPS = Map.ofEntries(Map.entry("Col2Im", 18),
            Map.entry("Mish", 18), Map.entry("BitwiseAnd", 18), Map.entry("BitwiseOr", 18), Map.entry("BitwiseXor", 18),
            Map.entry("BitwiseNot", 18), Map.entry("CenterCropPad", 18), Map.entry("GroupNormalization", 21),
            Map.entry("DeformConv", 19), Map.entry("Gelu", 20), Map.entry("AffineGrid", 20));

    private OnnxWriter() {
    }

    static ModelProto toModel(Graph g) {
        int opset = DEFAULT_OPSET;
        Map<String, Integer> otherDomains = new TreeMap<>();
        for (Node n : g.nodes()) {
            int nodeOpset = (int) n.attributes().getInt("_opset", n.domain().isEmpty() ? NEWEST_FORM : 1);
            if (n.domain().isEmpty()) {
                opset = Math.max(opset, NEWER_OPS.getOrDefault(n.opType(), DEFAULT_OPSET));
                if (OpsetForms.REDUCE_AXES_INPUT_FROM_18.contains(n.opType()) && nodeOpset >= 18
                        && !n.input(1).isEmpty() && !g.initializers().containsKey(n.input(1))) {
                    opset = Math.max(opset, 18); // axes computed at run time: keep the input form
                }
            } else {
                otherDomains.merge(n.domain(), Math.max(1, nodeOpset), Math::max);
            }
        }
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(irVersion(opset)).setProducerName(PRODUCER)
                .setProducerVersion(PRODUCER_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset));
        otherDomains.forEach((d, v) -> m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(d).setVersion(v)));
        m.setGraph(graph(g, opset, true));
        g.metadata().forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    /** The IR version that introduced each opset range (ONNX versioning table). */
    private static long irVersion(int opset) {
        return opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
    }

    private static GraphProto graph(Graph g, int opset, boolean top) {
        GraphProto.Builder b = GraphProto.newBuilder().setName(g.name() == null ? "main" : g.name());
        Map<String, Tensor> extra = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            b.addNode(node(n, g, opset, extra));
        }
        g.initializers().forEach((k, t) -> b.addInitializer(TensorCodec.encode(k, t)));
        extra.forEach((k, t) -> b.addInitializer(TensorCodec.encode(k, t)));
        for (Value v : g.inputs()) {
            b.addInput(valueInfo(v.name(), v.type()));
        }
        for (Value v : g.outputs()) {
            TensorType t = v.type() != null ? v.type() : g.type(v.name());
            b.addOutput(valueInfo(v.name(), t));
        }
        return b.build();
    }

    private static NodeProto node(Node n, Graph g, int opset, Map<String, Tensor> extra) {
        int nodeOpset = (int) n.attributes().getInt("_opset", NEWEST_FORM);
        NodeSpec s = new NodeSpec(n.name(), n.opType(), n.domain(), new Attributes(n.attributes().asMap()),
                n.inputs(), n.outputs(), nodeOpset);
        if (n.domain().isEmpty()) {
            OpsetForms.reduceForWrite(s, opset, g.initializers(), extra);
            OpsetForms.splitForWrite(s, opset);
        }
        NodeProto.Builder b = NodeProto.newBuilder().setName(s.name).setOpType(s.type).setDomain(s.domain)
                .addAllInput(trimTrailingEmpty(s.inputs)).addAllOutput(s.outputs);
        String where = "node '" + n.name() + "' (" + n.opType() + ")";
        AttributeCodec.encodeAll(s.attrs, where, sub -> graph(sub, opset, false), b::addAttribute);
        return b.build();
    }

    private static List<String> trimTrailingEmpty(List<String> in) {
        int end = in.size();
        while (end > 0 && in.get(end - 1).isEmpty()) {
            end--;
        }
        return in.subList(0, end);
    }

    static ValueInfoProto valueInfo(String name, TensorType t) {
        ValueInfoProto.Builder b = ValueInfoProto.newBuilder().setName(name);
        if (t == null) {
            return b.build();
        }
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        int[] dims = t.shape().dims();
        for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
            if (dims[i] >= 0) {
                d.setDimValue(dims[i]);
            } else {
                d.setDimParam(i == 0 ? "N" : name + "_dim" + i);
            }
            shape.addDim(d);
        }
        return b.setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(t.dtype().onnxCode).setShape(shape))).build();
    }
}
