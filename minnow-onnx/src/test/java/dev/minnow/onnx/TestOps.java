package dev.minnow.onnx;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A private registry with a few tiny ops, so reader/writer tests do not depend on the real op
 * library (written elsewhere). Element-wise float32 only; each op is a line of obvious code.
 */
final class TestOps {
    private TestOps() {
    }

    record SimpleOp(String type, Attributes attributes, Function<List<TensorType>, List<TensorType>> infer,
            BiFunction<Attributes, Tensor[], Tensor[]> run) implements Op {
        @Override
        public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
            return infer.apply(inputs);
        }

        @Override
        public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
            return run.apply(attributes, inputs);
        }
    }

    static OpRegistry registry() {
        OpRegistry r = new OpRegistry();
        r.register("Relu", a -> new SimpleOp("Relu", a, in -> List.of(in.get(0)), (at, x) -> {
            Tensor y = x[0].copy();
            float[] v = y.floats();
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.max(0, v[i]);
            }
            return new Tensor[] {y};
        }));
        r.register("Add", a -> new SimpleOp("Add", a, in -> {
            if (!in.get(0).shape().equals(in.get(1).shape()) && in.get(0).shape().isStatic() && in.get(1).shape().isStatic()) {
                throw new ShapeException("test Add needs equal shapes, got " + in);
            }
            if (in.get(0).dtype() != in.get(1).dtype()) {
                throw new ShapeException("test Add needs equal types, got " + in);
            }
            int[] da = in.get(0).shape().dims();
            int[] db = in.get(1).shape().dims();
            int[] d = new int[da.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = da[i] == db[i] ? da[i] : da[i] == 1 ? db[i] : db[i] == 1 ? da[i] : -1;
            }
            return List.of(new TensorType(in.get(0).dtype(), Shape.of(d)));
        }, (at, x) -> {
            Tensor y = x[0].copy();
            float[] v = y.floats();
            float[] b = x[1].floats();
            for (int i = 0; i < v.length; i++) {
                v[i] += b[i];
            }
            return new Tensor[] {y};
        }));
        r.register("Shape", a -> new SimpleOp("Shape", a,
                in -> List.of(new TensorType(DType.INT64, Shape.of(in.get(0).shape().rank()))),
                (at, x) -> new Tensor[] {Tensor.ofLongs(Shape.of(x[0].shape().rank()), x[0].shape().dimsLong())}));
        // Gather on a 1-D int64 tensor with a scalar index: enough for shape chains
        r.register("Gather", a -> new SimpleOp("Gather", a,
                in -> List.of(new TensorType(DType.INT64, Shape.scalar())),
                (at, x) -> new Tensor[] {Tensor.ofLongs(Shape.scalar(), x[0].longs()[(int) x[1].getLong(0)])}));
        r.register("Squeeze", a -> new SimpleOp("Squeeze", a, in -> List.of(in.get(0)), (at, x) -> new Tensor[] {x[0]}));
        r.register("Cast", a -> new SimpleOp("Cast", a,
                in -> List.of(new TensorType(DType.fromOnnx((int) a.getInt("to", 1)), in.get(0).shape())),
                (at, x) -> new Tensor[] {x[0].cast(DType.fromOnnx((int) at.getInt("to", 1)))}));
        return r;
    }
}
