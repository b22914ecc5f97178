package dev.minnow.graph.ops.sequence;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * RotaryEmbedding(X, cos_cache, sin_cache, position_ids?) (opset 23): rotates pairs of the
 * first rotary_embedding_dim (0: all) features of every head by the cached angle of its
 * position: (x1, x2) -> (c x1 - s x2, s x1 + c x2). Pairs are (i, i + R/2), or neighbours
 * (2i, 2i + 1) with interleaved=1. X is [B, heads, S, D] or [B, S, heads * D] (num_heads
 * given); without position_ids the caches are [B, S, R/2], with them [positions, R/2].
 * Backward applies the inverse rotation to the gradient.
 */
final class RotaryEmbedding extends AbstractOp {
    private final boolean interleaved;
    private final int rotaryDim;
    private final int numHeads;

    RotaryEmbedding(Attributes a) {
        super("RotaryEmbedding", a);
        interleaved = a.getInt("interleaved", 0) != 0;
        rotaryDim = (int) a.getInt("rotary_embedding_dim", 0);
        numHeads = (int) a.getInt("num_heads", 0);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        int r = x.shape().rank();
        if (r != 3 && r != 4 || r == 3 && numHeads <= 0) {
            throw shapeError("input must be [B, heads, S, D], or [B, S, hidden] with num_heads, got " + x.shape());
        }
        return List.of(x);
    }

    /** v rotated (sign +1) or rotated back (sign -1), as a new array. */
    private double[] rotate(Tensor x, Tensor[] inputs, double[] v, int sign) {
        int[] d = x.shape().dims();
        boolean threeD = d.length == 3;
        int b = d[0];
        int heads = threeD ? numHeads : d[1];
        int seq = threeD ? d[1] : d[2];
        int head = threeD ? d[2] / numHeads : d[3];
        int rot = rotaryDim == 0 ? head : rotaryDim;
        int half = rot / 2;
        double[] cos = Elems.doubles(inputs[1]);
        double[] sin = Elems.doubles(inputs[2]);
        Tensor pos = input(inputs, 3);
        long[] positions = pos == null ? null : Elems.longs(pos);
        double[] out = v.clone();
        for (int bi = 0; bi < b; bi++) {
            for (int s = 0; s < seq; s++) {
                int row = positions == null ? bi * seq + s : (int) positions[bi * seq + s];
                for (int h = 0; h < heads; h++) {
                    int base = threeD ? ((bi * seq + s) * heads + h) * head : ((bi * heads + h) * seq + s) * head;
                    for (int i = 0; i < half; i++) {
                        int p1 = base + (interleaved ? 2 * i : i);
                        int p2 = base + (interleaved ? 2 * i + 1 : i + half);
                        double c = cos[row * half + i];
                        double sn = sign * sin[row * half + i];
                        out[p1] = c * v[p1] - sn * v[p2];
                        out[p2] = sn * v[p1] + c * v[p2];
                    }
                }
            }
        }
        return out;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        return new Tensor[] {Elems.fromDoubles(x.dtype(), x.shape(), rotate(x, inputs, Elems.doubles(x), 1))};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] r = new Tensor[inputs.length];
        Tensor x = inputs[0];
        if (gradOutputs[0] != null && x.dtype() == DType.FLOAT32) {
            r[0] = Elems.fromDoubles(DType.FLOAT32, x.shape(), rotate(x, inputs, Elems.doubles(gradOutputs[0]), -1));
        }
        return r;
    }

    // input roles: the cos and sin caches are computed tables, not learned
    @Override
    public InputRole inputRole(int index) {
        return switch (index) {
            case 1, 2 -> InputRole.SETTING;
            default -> InputRole.DATA;
        };
    }
}
