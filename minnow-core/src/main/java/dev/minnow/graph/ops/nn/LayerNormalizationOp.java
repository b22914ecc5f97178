package dev.minnow.graph.ops.nn;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX LayerNormalization (opset 17): statistics over the dimensions [axis, rank) (axis default
 * -1), Scale and optional B broadcast to those dimensions; outputs Y and optional Mean and
 * InvStdDev (float32, shape of X with the normalised dimensions set to 1). epsilon 1e-5.
 */
public class LayerNormalizationOp extends BlockNormOp {
    private final long axisAttr;

    public LayerNormalizationOp(Attributes attrs) {
        this("LayerNormalization", attrs);
    }

    /** The same normalised dimensions and Scale / B broadcasting under another op's name (RMSNormalization). */
    LayerNormalizationOp(String type, Attributes attrs) {
        super(type, attrs);
        this.axisAttr = this.attrs.getInt("axis", -1);
    }

    private int[] normDims(Shape x) {
        int a = axis(axisAttr, x.rank());
        return java.util.Arrays.copyOfRange(x.dims(), a, x.rank());
    }

    @Override
    Layout layout(Shape x, Tensor scale) {
        int a = axis(axisAttr, x.rank());
        int[] d = x.dims();
        return new Layout(prod(d, 0, a), prod(d, a, d.length), 1, 0, 1);
    }

    /** Broadcasts a parameter (numpy rules, right-aligned) to the normalised dimensions. */
    private float[] expand(Tensor x, Tensor p) {
        int[] nd = normDims(x.shape());
        int n = prod(nd, 0, nd.length);
        float[] v = f32(p);
        if (v.length == n) {
            return v;
        }
        int[] pd = p.shape().dims();
        float[] r = new float[n];
        for (int j = 0; j < n; j++) {
            r[j] = v[sourceIndex(j, nd, pd)];
        }
        return r;
    }

    /** Index into a parameter of dims pd for flat index j over dims nd (broadcast). */
    private int sourceIndex(int j, int[] nd, int[] pd) {
        int src = 0;
        int stride = 1;
        int rem = j;
        for (int i = nd.length - 1, k = pd.length - 1; i >= 0; i--, k--) {
            int idx = rem % nd[i];
            rem /= nd[i];
            if (k >= 0) {
                if (pd[k] != 1) {
                    src += idx * stride;
                }
                stride *= pd[k];
            }
        }
        return src;
    }

    @Override
    float[] gamma(Tensor x, Tensor scale) {
        return expand(x, scale);
    }

    @Override
    float[] beta(Tensor x, Tensor bias) {
        return bias == null ? null : expand(x, bias);
    }

    @Override
    float[] reduceAffine(Tensor x, Tensor param, float[] grad) {
        if (grad.length == param.size()) {
            return grad;
        }
        int[] nd = normDims(x.shape());
        float[] r = new float[param.size()];
        for (int j = 0; j < grad.length; j++) {
            r[sourceIndex(j, nd, param.shape().dims())] += grad[j];
        }
        return r;
    }

    private Shape statShape(Shape x) {
        int a = axis(axisAttr, x.rank());
        int[] d = x.dims();
        for (int i = a; i < d.length; i++) {
            d[i] = 1;
        }
        return Shape.of(d);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "X");
        requireFloating(x, "X");
        requireRank(x, 1, "X");
        int[] nd = normDims(x.shape());
        for (int i = 1; i < 3; i++) {
            TensorType t = i == 1 ? required(in, 1, "Scale") : opt(in, 2);
            if (t == null) {
                continue;
            }
            int[] pd = t.shape().dims();
            boolean ok = pd.length <= nd.length;
            for (int k = 0; ok && k < pd.length; k++) {
                int target = nd[nd.length - pd.length + k];
                ok = pd[k] == 1 || pd[k] == target || pd[k] < 0 || target < 0;
            }
            if (!ok) {
                throw new ShapeException(type + ": " + (i == 1 ? "Scale " : "B ") + t.shape()
                        + " does not broadcast to the normalised dimensions of X " + x.shape());
            }
        }
        List<TensorType> r = new ArrayList<>();
        r.add(x);
        r.add(new TensorType(DType.FLOAT32, statShape(x.shape())));
        r.add(new TensorType(DType.FLOAT32, statShape(x.shape())));
        return r;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        float[][] r = compute(inputs);
        Shape ss = statShape(x.shape());
        return new Tensor[] {out(x.dtype(), x.shape(), r[0]), Tensor.of(ss, r[1]), Tensor.of(ss, r[2])};
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        float[] gm = gradOutputs.length > 1 && gradOutputs[1] != null ? f32(gradOutputs[1]) : null;
        float[] gs = gradOutputs.length > 2 && gradOutputs[2] != null ? f32(gradOutputs[2]) : null;
        return gradients(inputs, gradOutputs[0], gm, gs);
    }
}
