package dev.minnow.infer.kernels;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;

/** Conversions between the NHWC values of a channel-last chain and NCHW. */
public final class Layouts {
    private Layouts() {
    }

    /** [N, H, W, C] -> [N, C, H, W]. */
    public static Shape nchwShape(Shape nhwc) {
        return Shape.of(nhwc.dim(0), nhwc.dim(3), nhwc.dim(1), nhwc.dim(2));
    }

    /** [N, C, H, W] -> [N, H, W, C]. */
    public static Shape nhwcShape(Shape nchw) {
        return Shape.of(nchw.dim(0), nchw.dim(2), nchw.dim(3), nchw.dim(1));
    }

    /** A new NCHW float tensor with the values of an NHWC one. */
    public static Tensor toNchw(Tensor nhwc) {
        Shape s = nhwc.shape();
        int n = s.dim(0);
        int plane = s.dim(1) * s.dim(2);
        int c = s.dim(3);
        float[] x = nhwc.dtype() == DType.FLOAT32 ? nhwc.floats() : nhwc.cast(DType.FLOAT32).floats();
        float[] y = new float[x.length];
        for (int i = 0; i < n; i++) {
            int off = i * plane * c;
            for (int p = 0; p < plane; p++) {
                for (int k = 0; k < c; k++) {
                    y[off + k * plane + p] = x[off + p * c + k];
                }
            }
        }
        return Tensor.wrap(DType.FLOAT32, nchwShape(s), y);
    }
}
