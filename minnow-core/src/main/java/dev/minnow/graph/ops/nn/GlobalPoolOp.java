package dev.minnow.graph.ops.nn;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX GlobalAveragePool, GlobalMaxPool and GlobalLpPool (p, default 2): one value per
 * (n, c) plane over all spatial positions; output [N, C, 1, ..., 1]. 0 MACs by convention.
 */
public final class GlobalPoolOp extends NnOp {
    enum Kind { AVERAGE, MAX, LP }

    private final Kind kind;
    private final double p;

    GlobalPoolOp(String type, Kind kind, Attributes attrs) {
        super(type, attrs);
        this.kind = kind;
        long pv = kind == Kind.LP ? this.attrs.getInt("p", 2) : 2;
        if (pv < 1) {
            throw unsupported("p", pv, "an integer >= 1");
        }
        this.p = pv;
    }

    public static GlobalPoolOp average(Attributes a) {
        return new GlobalPoolOp("GlobalAveragePool", Kind.AVERAGE, a);
    }

    public static GlobalPoolOp max(Attributes a) {
        return new GlobalPoolOp("GlobalMaxPool", Kind.MAX, a);
    }

    public static GlobalPoolOp lp(Attributes a) {
        return new GlobalPoolOp("GlobalLpPool", Kind.LP, a);
    }

    private static Shape outShape(Shape in) {
        int[] d = in.dims();
        for (int i = 2; i < d.length; i++) {
            d[i] = 1;
        }
        return Shape.of(d);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "X");
        requireRank(x, 2, "X");
        requireFloating(x, "X");
        return List.of(new TensorType(x.dtype(), outShape(x.shape())));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        int[] d = x.shape().dims();
        int planes = d[0] * d[1];
        int s = prod(d, 2, d.length);
        float[] v = f32(x);
        float[] y = new float[planes];
        for (int pl = 0; pl < planes; pl++) {
            int b = pl * s;
            double acc = kind == Kind.MAX ? Double.NEGATIVE_INFINITY : 0;
            for (int i = b; i < b + s; i++) {
                acc = switch (kind) {
                    case AVERAGE -> acc + v[i];
                    case MAX -> Math.max(acc, v[i]);
                    case LP -> acc + Math.pow(Math.abs(v[i]), p);
                };
            }
            y[pl] = (float) switch (kind) {
                case AVERAGE -> acc / s;
                case MAX -> acc;
                case LP -> Math.pow(acc, 1 / p);
            };
        }
        return new Tensor[] {out(x.dtype(), outShape(x.shape()), y)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor x = inputs[0];
        int[] d = x.shape().dims();
        int planes = d[0] * d[1];
        int s = prod(d, 2, d.length);
        float[] v = f32(x);
        float[] y = f32(outputs[0]);
        float[] dy = f32(gradOutputs[0]);
        float[] dx = new float[v.length];
        for (int pl = 0; pl < planes; pl++) {
            int b = pl * s;
            switch (kind) {
                case AVERAGE -> java.util.Arrays.fill(dx, b, b + s, dy[pl] / s);
                case MAX -> {
                    for (int i = b; i < b + s; i++) {
                        if (v[i] == y[pl]) {
                            dx[i] = dy[pl];
                            break;
                        }
                    }
                }
                case LP -> {
                    if (y[pl] != 0) {
                        double scale = dy[pl] / Math.pow(y[pl], p - 1);
                        for (int i = b; i < b + s; i++) {
                            dx[i] = (float) (scale * Math.signum(v[i]) * Math.pow(Math.abs(v[i]), p - 1));
                        }
                    }
                }
            }
        }
        return new Tensor[] {out(x.dtype(), x.shape(), dx)};
    }
}
