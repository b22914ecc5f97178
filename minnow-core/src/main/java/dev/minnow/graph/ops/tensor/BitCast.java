package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.TensorBytes;
import java.util.List;

/** BitCast(to): reinterprets each element's bits as another type of the same width (shape unchanged). */
final class BitCast extends AbstractOp {
    private final DType to;

    BitCast(Attributes a) {
        super("BitCast", a);
        if (!a.has("to")) {
            throw shapeError("attribute to is required");
        }
        to = dtypeAttribute("to", null);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        if (x.dtype().bytes != to.bytes) {
            throw shapeError("cannot reinterpret " + x.dtype().label + " as " + to.label + ": the widths differ");
        }
        return List.of(new TensorType(to, x.shape()));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        inferTypes(List.of(new TensorType(x.dtype(), x.shape())), null);
        Tensor out = Tensor.zeros(to, x.shape());
        TensorBytes.fillFromLittleEndian(TensorBytes.toLittleEndian(x), out);
        return new Tensor[] {out};
    }
}
