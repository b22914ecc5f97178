package dev.minnow.graph.ops.quant;

import dev.minnow.errors.ShapeException;
import dev.minnow.tensor.Shape;

/** Numpy (multidirectional) broadcasting for the quantized element-wise contrib ops. */
final class QBroadcast {
    private QBroadcast() {
    }

    static Shape shape(String op, Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        int[] d = new int[rank];
        for (int i = 0; i < rank; i++) {
            int x = i - (rank - a.rank()) >= 0 ? a.dim(i - (rank - a.rank())) : 1;
            int y = i - (rank - b.rank()) >= 0 ? b.dim(i - (rank - b.rank())) : 1;
            if (x != y && x != 1 && y != 1) {
                throw new ShapeException(op + ": shapes " + a + " and " + b + " do not broadcast");
            }
            d[i] = x == 1 ? y : x;
        }
        return Shape.of(d);
    }

    /** For each element of out, the index of the element of in it reads. */
    static int[] map(Shape in, Shape out) {
        int rank = out.rank();
        int[] strides = new int[rank];
        int s = 1;
        for (int i = in.rank() - 1; i >= 0; i--) {
            int o = i + rank - in.rank();
            strides[o] = in.dim(i) == 1 ? 0 : s;
            s *= in.dim(i);
        }
        int n = (int) out.size();
        int[] idx = new int[n];
        int[] counter = new int[rank];
        int at = 0;
        for (int i = 0; i < n; i++) {
            idx[i] = at;
            for (int d = rank - 1; d >= 0; d--) {
                counter[d]++;
                at += strides[d];
                if (counter[d] < out.dim(d)) {
                    break;
                }
                at -= strides[d] * counter[d];
                counter[d] = 0;
            }
        }
        return idx;
    }
}
