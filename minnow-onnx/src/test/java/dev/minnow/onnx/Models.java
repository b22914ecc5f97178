package dev.minnow.onnx;

import dev.minnow.onnx.proto.OnnxProto.AttributeProto;
import dev.minnow.onnx.proto.OnnxProto.GraphProto;
import dev.minnow.onnx.proto.OnnxProto.ModelProto;
import dev.minnow.onnx.proto.OnnxProto.NodeProto;
import dev.minnow.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.minnow.onnx.proto.OnnxProto.TensorShapeProto;
import dev.minnow.onnx.proto.OnnxProto.TypeProto;
import dev.minnow.onnx.proto.OnnxProto.ValueInfoProto;
import java.util.List;

/** Hand-built ModelProtos for tests. Dims: a negative value is written as dim_param "N". */
final class Models {
    private Models() {
    }

    static ValueInfoProto value(String name, int elemType, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) {
            s.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(s))).build();
    }

    static NodeProto node(String name, String type, List<String> in, List<String> out, AttributeProto... attrs) {
        return NodeProto.newBuilder().setName(name).setOpType(type).addAllInput(in).addAllOutput(out)
                .addAllAttribute(List.of(attrs)).build();
    }

    static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            b.addInts(x);
        }
        return b.build();
    }

    static ModelProto model(int opset, GraphProto.Builder g) {
        return ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(g).build();
    }
}
