package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * A two-input element-wise op with multidirectional broadcasting: y = f(a, b), with local
 * partial derivatives dy/da and dy/db written in terms of (a, b, y). Computed in double and
 * rounded to the output type (integer results truncated toward zero, as ONNX integer Div);
 * comparisons and logic ops output bool. Backward sums gradients over broadcast axes.
 * MACs: 0 (element-wise; docs/COST.md).
 */
final class BinaryOp extends AbstractOp {
    @FunctionalInterface
    interface Fn {
        double apply(double a, double b);
    }

    @FunctionalInterface
    interface Partial {
        double apply(double a, double b, double y);
    }

    private final Fn f;
    private final Partial da;
    private final Partial db;
    private final boolean boolOut;

    BinaryOp(String type, Attributes attributes, Fn f, Partial da, Partial db, boolean boolOut) {
        super(type, attributes);
        this.f = f;
        this.da = da;
        this.db = db;
        this.boolOut = boolOut;
    }

    static void register(OpRegistry r) {
        arith(r, "Add", (a, b) -> a + b, (a, b, y) -> 1, (a, b, y) -> 1);
        arith(r, "Sub", (a, b) -> a - b, (a, b, y) -> 1, (a, b, y) -> -1);
        arith(r, "Mul", (a, b) -> a * b, (a, b, y) -> b, (a, b, y) -> a);
        arith(r, "Div", (a, b) -> a / b, (a, b, y) -> 1 / b, (a, b, y) -> -y / b);
        arith(r, "Pow", Math::pow, (a, b, y) -> b == 0 ? 0 : b * Math.pow(a, b - 1),
                (a, b, y) -> a > 0 ? y * Math.log(a) : 0);
        arith(r, "PRelu", (a, b) -> a < 0 ? b * a : a, (a, b, y) -> a < 0 ? b : 1, (a, b, y) -> a < 0 ? a : 0);
        r.register("Mod", a -> {
            boolean fmod = a.getInt("fmod", 0) != 0;
            // fmod=0: integer modulo with the sign of the divisor (Python %); fmod=1: C fmod
            return new BinaryOp("Mod", a, fmod ? (x, y) -> x % y : (x, y) -> {
                double m = x % y;
                return m != 0 && (m < 0) != (y < 0) ? m + y : m;
            }, null, null, false);
        });
        r.register("BitwiseAnd", a -> new BinaryOp("BitwiseAnd", a, (x, y) -> (long) x & (long) y, null, null, false));
        r.register("BitwiseOr", a -> new BinaryOp("BitwiseOr", a, (x, y) -> (long) x | (long) y, null, null, false));
        r.register("BitwiseXor", a -> new BinaryOp("BitwiseXor", a, (x, y) -> (long) x ^ (long) y, null, null, false));
        r.register("BitShift", a -> {
            String dir = a.getString("direction", "");
            if (!dir.equals("LEFT") && !dir.equals("RIGHT")) {
                throw new dev.minnow.errors.UnsupportedOpException("op BitShift: attribute direction=" + dir
                        + " is not supported (supported: LEFT, RIGHT)");
            }
            boolean left = dir.equals("LEFT");
            return new BinaryOp("BitShift", a, (x, y) -> left ? (long) x << (long) y : (long) x >>> (long) y, null, null, false);
        });
        logic(r, "Equal", (a, b) -> a == b);
        logic(r, "Greater", (a, b) -> a > b);
        logic(r, "Less", (a, b) -> a < b);
        logic(r, "GreaterOrEqual", (a, b) -> a >= b);
        logic(r, "LessOrEqual", (a, b) -> a <= b);
        logic(r, "And", (a, b) -> a != 0 && b != 0);
        logic(r, "Or", (a, b) -> a != 0 || b != 0);
        logic(r, "Xor", (a, b) -> (a != 0) != (b != 0));
    }

    private static void arith(OpRegistry r, String type, Fn f, Partial da, Partial db) {
        r.register(type, a -> new BinaryOp(type, a, f, da, db, false));
    }

    private interface Predicate2 {
        boolean test(double a, double b);
    }

    private static void logic(OpRegistry r, String type, Predicate2 p) {
        r.register(type, a -> new BinaryOp(type, a, (x, y) -> p.test(x, y) ? 1 : 0, null, null, true));
    }

    /**
     * B's shape for broadcasting. Before opset 7, broadcast=1 with axis aligned B with A's
     * dims starting at axis (not at the right end), so B gets trailing 1s.
     */
    private Shape aligned(Shape a, Shape b) {
        if (opset >= 7 || attributes().getInt("broadcast", 0) == 0 || !attributes().has("axis")) {
            return b;
        }
        int axis = axis(attributes().getInt("axis", 0), a.rank());
        int[] d = new int[a.rank()];
        java.util.Arrays.fill(d, 1);
        if (axis + b.rank() > a.rank()) {
            throw shapeError("B " + b + " does not fit A " + a + " from axis " + axis);
        }
        System.arraycopy(b.dims(), 0, d, axis, b.rank());
        return Shape.of(d);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType a = required(inputs, 0);
        TensorType b = required(inputs, 1);
        Shape s = Broadcast.shape(type(), a.shape(), aligned(a.shape(), b.shape()));
        return List.of(new TensorType(boolOut ? DType.BOOL : a.dtype(), s));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor a = inputs[0];
        Tensor b = inputs[1].reshape(aligned(inputs[0].shape(), inputs[1].shape()));
        Shape s = Broadcast.shape(type(), a.shape(), b.shape());
        Broadcast.Plan p = Broadcast.plan(s, a.shape(), b.shape());
        int n = s.sizeInt();
        if (!boolOut && a.dtype() == DType.FLOAT32 && b.dtype() == DType.FLOAT32) {
            float[] x = a.floats();
            float[] z = b.floats();
            float[] y = new float[n];
            int block = p.block();
            int sa = p.step()[0];
            int sb = p.step()[1];
            for (int o = 0; o < p.outer(); o++) {
                int ia = p.base()[0][o];
                int ib = p.base()[1][o];
                int base = o * block;
                for (int j = 0; j < block; j++) {
                    y[base + j] = (float) f.apply(x[ia + j * sa], z[ib + j * sb]);
                }
            }
            return new Tensor[] {Elems.f32(s, y)};
        }
        double[] x = Elems.doubles(a);
        double[] z = Elems.doubles(b);
        double[] y = new double[n];
        for (int o = 0; o < p.outer(); o++) {
            for (int j = 0; j < p.block(); j++) {
                y[o * p.block() + j] = f.apply(x[p.base()[0][o] + j * p.step()[0]], z[p.base()[1][o] + j * p.step()[1]]);
            }
        }
        return new Tensor[] {Elems.fromDoubles(boolOut ? DType.BOOL : a.dtype(), s, y)};
    }

    @Override
    public boolean differentiable() {
        return da != null;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        if (da == null) {
            throw noBackward();
        }
        Tensor g = gradOutputs[0];
        if (g == null) {
            return new Tensor[2];
        }
        Tensor a = inputs[0];
        Tensor b = inputs[1].reshape(aligned(inputs[0].shape(), inputs[1].shape()));
        Shape s = outputs[0].shape();
        Broadcast.Plan p = Broadcast.plan(s, a.shape(), b.shape());
        float[] x = a.dtype() == DType.FLOAT32 ? a.floats() : a.cast(DType.FLOAT32).floats();
        float[] z = b.dtype() == DType.FLOAT32 ? b.floats() : b.cast(DType.FLOAT32).floats();
        float[] y = outputs[0].floats();
        float[] gy = g.floats();
        float[] ga = new float[x.length];
        float[] gb = new float[z.length];
        int block = p.block();
        int sa = p.step()[0];
        int sb = p.step()[1];
        for (int o = 0; o < p.outer(); o++) {
            int baseA = p.base()[0][o];
            int baseB = p.base()[1][o];
            // a repeated (step 0) input sums its gradient over the block in double, then adds once
            double accA = 0;
            double accB = 0;
            for (int j = 0; j < block; j++) {
                int i = o * block + j;
                int ia = baseA + j * sa;
                int ib = baseB + j * sb;
                double gA = gy[i] * da.apply(x[ia], z[ib], y[i]);
                double gB = gy[i] * db.apply(x[ia], z[ib], y[i]);
                if (sa == 0) {
                    accA += gA;
                } else {
                    ga[ia] += (float) gA;
                }
                if (sb == 0) {
                    accB += gB;
                } else {
                    gb[ib] += (float) gB;
                }
            }
            if (sa == 0) {
                ga[baseA] += (float) accA;
            }
            if (sb == 0) {
                gb[baseB] += (float) accB;
            }
        }
        return new Tensor[] {a.dtype() == DType.FLOAT32 ? Elems.f32(a.shape(), ga) : null,
            b.dtype() == DType.FLOAT32 ? Elems.f32(inputs[1].shape(), gb) : null};
    }

    // PRelu's slope is learned; other binary ops take data (a constant there resolves by InputRole.of)
    @Override
    public InputRole inputRole(int index) {
        return index == 1 && type().equals("PRelu") ? InputRole.WEIGHT : InputRole.DATA;
    }
}
