package dev.minnow.graph.ops;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
        ByteBuffer b = ByteBuffer.allocate(x.size() * to.bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (x.data()) {
            case float[] a -> b.asFloatBuffer().put(a);
            case double[] a -> b.asDoubleBuffer().put(a);
            case short[] a -> b.asShortBuffer().put(a);
            case byte[] a -> b.put(a).flip();
            case int[] a -> b.asIntBuffer().put(a);
            case long[] a -> b.asLongBuffer().put(a);
            default -> throw new IllegalStateException();
        }
        b.rewind();
        Tensor out = Tensor.zeros(to, x.shape());
        switch (out.data()) {
            case float[] a -> b.asFloatBuffer().get(a);
            case double[] a -> b.asDoubleBuffer().get(a);
            case short[] a -> b.asShortBuffer().get(a);
            case byte[] a -> b.get(a);
            case int[] a -> b.asIntBuffer().get(a);
            case long[] a -> b.asLongBuffer().get(a);
            default -> throw new IllegalStateException();
        }
        return new Tensor[] {out};
    }
}
