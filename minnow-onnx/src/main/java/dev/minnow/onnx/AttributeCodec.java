package dev.minnow.onnx;

import com.google.protobuf.ByteString;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.onnx.proto.OnnxProto.AttributeProto;
import dev.minnow.onnx.proto.OnnxProto.AttributeProto.AttributeType;
import dev.minnow.onnx.proto.OnnxProto.GraphProto;
import dev.minnow.onnx.proto.OnnxProto.TensorProto;
import dev.minnow.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;

/**
 * AttributeProto to and from the value kinds of {@link Attributes}: INT Long, FLOAT Double,
 * STRING String, INTS long[], FLOATS double[], STRINGS String[], TENSOR Tensor, TENSORS Tensor[],
 * GRAPH Graph, GRAPHS Graph[]. Keys starting with "_" are Minnow's own (e.g. "_opset") and are
 * never written.
 */
final class AttributeCodec {
    private AttributeCodec() {
    }

    /** Decodes one attribute; {@code where} names the node for messages. */
    static Object decode(AttributeProto a, String where, Function<TensorProto, Tensor> tensors,
            Function<GraphProto, Graph> graphs) {
        if (!a.getRefAttrName().isEmpty()) {
            throw new UnsupportedOpException(where + ": attribute '" + a.getName() + "' refers to a function attribute ('"
                    + a.getRefAttrName() + "'); ONNX functions are not supported, inline them before importing");
        }
        AttributeType type = a.getType() == AttributeType.UNDEFINED ? guessType(a) : a.getType();
        return switch (type) {
            case FLOAT -> (double) a.getF();
            case INT -> a.getI();
            case STRING -> a.getS().toStringUtf8();
            case TENSOR -> tensors.apply(a.getT());
            case GRAPH -> graphs.apply(a.getG());
            case FLOATS -> {
                double[] d = new double[a.getFloatsCount()];
                for (int i = 0; i < d.length; i++) {
                    d[i] = a.getFloats(i);
                }
                yield d;
            }
            case INTS -> a.getIntsList().stream().mapToLong(Long::longValue).toArray();
            case STRINGS -> a.getStringsList().stream().map(ByteString::toStringUtf8).toArray(String[]::new);
            case TENSORS -> a.getTensorsList().stream().map(tensors).toArray(Tensor[]::new);
            case GRAPHS -> a.getGraphsList().stream().map(graphs).toArray(Graph[]::new);
            case SPARSE_TENSOR, SPARSE_TENSORS, TYPE_PROTO, TYPE_PROTOS -> throw new UnsupportedOpException(where
                    + ": attribute '" + a.getName() + "' is of kind " + type + ", which Minnow does not support");
            case UNDEFINED, UNRECOGNIZED -> throw new InvalidInputException(where + ": attribute '" + a.getName()
                    + "' has no value or an unknown kind (" + a.getTypeValue() + "); the model is corrupt");
        };
    }

    /** IR version 1 files carry no attribute type: infer it from the field that is set. */
    private static AttributeType guessType(AttributeProto a) {
        if (a.getIntsCount() > 0) {
            return AttributeType.INTS;
        }
        if (a.getFloatsCount() > 0) {
            return AttributeType.FLOATS;
        }
        if (a.getStringsCount() > 0) {
            return AttributeType.STRINGS;
        }
        if (a.hasT()) {
            return AttributeType.TENSOR;
        }
        if (a.hasG()) {
            return AttributeType.GRAPH;
        }
        if (!a.getS().isEmpty()) {
            return AttributeType.STRING;
        }
        if (a.getF() != 0) {
            return AttributeType.FLOAT;
        }
        return AttributeType.INT;
    }

    /** Encodes every attribute whose key does not start with "_". */
    static void encodeAll(Attributes attrs, String where, Function<Graph, GraphProto> graphs,
            java.util.function.Consumer<AttributeProto> sink) {
        for (Map.Entry<String, Object> e : attrs.asMap().entrySet()) {
            if (!e.getKey().startsWith("_")) {
                sink.accept(encode(e.getKey(), e.getValue(), where, graphs));
            }
        }
    }

    static AttributeProto encode(String name, Object value, String where, Function<Graph, GraphProto> graphs) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name);
        switch (value) {
            case Long l -> b.setType(AttributeType.INT).setI(l);
            case Integer i -> b.setType(AttributeType.INT).setI(i);
            case Double d -> b.setType(AttributeType.FLOAT).setF(d.floatValue());
            case Float f -> b.setType(AttributeType.FLOAT).setF(f);
            case String s -> b.setType(AttributeType.STRING).setS(ByteString.copyFrom(s, StandardCharsets.UTF_8));
            case long[] a -> {
                b.setType(AttributeType.INTS);
                for (long v : a) {
                    b.addInts(v);
                }
            }
            case int[] a -> {
                b.setType(AttributeType.INTS);
                for (int v : a) {
                    b.addInts(v);
                }
            }
            case double[] a -> {
                b.setType(AttributeType.FLOATS);
                for (double v : a) {
                    b.addFloats((float) v);
                }
            }
            case float[] a -> {
                b.setType(AttributeType.FLOATS);
                for (float v : a) {
                    b.addFloats(v);
                }
            }
            case String[] a -> {
                b.setType(AttributeType.STRINGS);
                for (String v : a) {
                    b.addStrings(ByteString.copyFrom(v, StandardCharsets.UTF_8));
                }
            }
            case Tensor t -> b.setType(AttributeType.TENSOR).setT(TensorCodec.encode("", t));
            case Tensor[] ts -> {
                b.setType(AttributeType.TENSORS);
                for (Tensor t : ts) {
                    b.addTensors(TensorCodec.encode("", t));
                }
            }
            case Graph g -> b.setType(AttributeType.GRAPH).setG(graphs.apply(g));
            case Graph[] gs -> {
                b.setType(AttributeType.GRAPHS);
                for (Graph g : gs) {
                    b.addGraphs(graphs.apply(g));
                }
            }
            default -> throw new InvalidInputException(where + ": attribute '" + name + "' holds a "
                    + value.getClass().getSimpleName() + ", which cannot be written to ONNX");
        }
        return b.build();
    }
}
