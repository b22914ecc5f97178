package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.ReshapeLike;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * Col2Im(input [N, C * prod(block), L], image_shape, block_shape): sums sliding blocks back
 * into an image [N, C, image...] (the adjoint of im2col), with dilations, pads [begins, ends]
 * and strides, N-D. Each input element lands on one image element or in the padding, so
 * forward scatter-adds along one index map and backward gathers along it.
 */
final class Col2Im extends AbstractOp {
    private final long[] dilations;
    private final long[] pads;
    private final long[] strides;

    Col2Im(Attributes a) {
        super("Col2Im", a);
        dilations = a.getInts("dilations", null);
        pads = a.getInts("pads", null);
        strides = a.getInts("strides", null);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        Tensor image = constant(constants, 1);
        Tensor block = constant(constants, 2);
        int r = required(inputs, 1).shape().dim(0);
        int[] out = new int[r + 2];
        java.util.Arrays.fill(out, Shape.UNKNOWN);
        out[0] = x.shape().dim(0);
        if (image != null && block != null) {
            long[] im = Elems.longs(image);
            long blockSize = 1;
            for (long b : Elems.longs(block)) {
                blockSize *= b;
            }
            int cb = x.shape().dim(1);
            out[1] = cb < 0 ? Shape.UNKNOWN : (int) (cb / blockSize);
            for (int i = 0; i < r; i++) {
                out[2 + i] = (int) im[i];
            }
        }
        return List.of(new TensorType(x.dtype(), Shape.of(out)));
    }

    private static long at(long[] a, int i, long dflt) {
        return a == null ? dflt : a[i];
    }

    /** For each input element, the output element it adds to (-1: padding). */
    private Plan plan(Tensor x, long[] image, long[] block) {
        int r = image.length;
        int n = x.shape().dim(0);
        long blockSize = 1;
        for (long b : block) {
            blockSize *= b;
        }
        int c = (int) (x.shape().dim(1) / blockSize);
        int l = x.shape().dim(2);
        long[] slides = new long[r];
        long total = 1;
        for (int i = 0; i < r; i++) {
            long span = at(dilations, i, 1) * (block[i] - 1) + 1;
            slides[i] = (image[i] + at(pads, i, 0) + at(pads, i + r, 0) - span) / at(strides, i, 1) + 1;
            total *= slides[i];
        }
        if (total != l) {
            throw shapeError("input has " + l + " blocks but image_shape and block_shape give " + total);
        }
        int[] outDims = new int[r + 2];
        outDims[0] = n;
        outDims[1] = c;
        for (int i = 0; i < r; i++) {
            outDims[2 + i] = (int) image[i];
        }
        int imageSize = ReshapeLike.product(outDims, 2, r + 2);
        int[] map = new int[x.size()];
        int[] kIdx = new int[r];
        int[] lIdx = new int[r];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int k = 0; k < blockSize; k++) {
                    int rest = k;
                    for (int i = r - 1; i >= 0; i--) {
                        kIdx[i] = (int) (rest % block[i]);
                        rest /= (int) block[i];
                    }
                    for (int s = 0; s < l; s++) {
                        int rs = s;
                        for (int i = r - 1; i >= 0; i--) {
                            lIdx[i] = (int) (rs % slides[i]);
                            rs /= (int) slides[i];
                        }
                        int off = 0;
                        boolean inside = true;
                        for (int i = 0; i < r && inside; i++) {
                            long p = lIdx[i] * at(strides, i, 1) - at(pads, i, 0) + kIdx[i] * at(dilations, i, 1);
                            inside = p >= 0 && p < image[i];
                            off = (int) (off * image[i] + p);
                        }
                        map[((b * c + ch) * (int) blockSize + k) * l + s] = inside ? (b * c + ch) * imageSize + off : -1;
                    }
                }
            }
        }
        return new Plan(Shape.of(outDims), map);
    }

    private record Plan(Shape shape, int[] map) {
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        Plan p = plan(x, Elems.longs(inputs[1]), Elems.longs(inputs[2]));
        double[] v = Elems.doubles(x);
        double[] out = new double[p.shape().sizeInt()];
        for (int i = 0; i < v.length; i++) {
            if (p.map()[i] >= 0) {
                out[p.map()[i]] += v[i];
            }
        }
        return new Tensor[] {Elems.fromDoubles(x.dtype(), p.shape(), out)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] r = new Tensor[inputs.length];
        Tensor x = inputs[0];
        if (gradOutputs[0] == null || x.dtype() != DType.FLOAT32) {
            return r;
        }
        Plan p = plan(x, Elems.longs(inputs[1]), Elems.longs(inputs[2]));
        r[0] = Elems.gather(gradOutputs[0], p.map(), x.shape(), 0);
        return r;
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.SETTING : InputRole.DATA;
    }
}
