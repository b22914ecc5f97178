package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.IndexMapOp;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * DepthToSpace (mode DCR or CRD) and SpaceToDepth on NCHW with blocksize b, each a reshape
 * to 6-D, a transpose and a reshape back (ONNX definition).
 */
final class DepthSpace extends IndexMapOp {
    private final boolean toSpace;
    private final boolean crd;
    private final int b;

    DepthSpace(String type, Attributes a) {
        super(type, a);
        toSpace = type.equals("DepthToSpace");
        if (!a.has("blocksize")) {
            throw shapeError("attribute blocksize is required");
        }
        b = Math.toIntExact(a.getInt("blocksize", 1));
        String mode = a.getString("mode", "DCR");
        if (!mode.equals("DCR") && !mode.equals("CRD")) {
            throw unsupported("mode", mode, "DCR, CRD");
        }
        crd = toSpace && mode.equals("CRD");
    }

    private Shape out(Shape in) {
        if (in.rank() != 4) {
            throw shapeError("input must be 4-D NCHW, got " + in);
        }
        int n = in.dim(0);
        int c = in.dim(1);
        int h = in.dim(2);
        int w = in.dim(3);
        if (toSpace) {
            if (c >= 0 && c % (b * b) != 0) {
                throw shapeError("channels " + c + " are not divisible by blocksize^2 = " + b * b);
            }
            return Shape.of(n, c < 0 ? -1 : c / (b * b), h < 0 ? -1 : h * b, w < 0 ? -1 : w * b);
        }
        if (h >= 0 && h % b != 0 || w >= 0 && w % b != 0) {
            throw shapeError("spatial size " + h + "x" + w + " is not divisible by blocksize " + b);
        }
        return Shape.of(n, c < 0 ? -1 : c * b * b, h < 0 ? -1 : h / b, w < 0 ? -1 : w / b);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        return List.of(new TensorType(x.dtype(), out(x.shape())));
    }

    @Override
    protected Plan plan(Tensor[] inputs) {
        Shape in = inputs[0].shape();
        Shape o = out(in);
        int n = in.dim(0);
        int c = in.dim(1);
        int h = in.dim(2);
        int w = in.dim(3);
        int[] map;
        if (!toSpace) {
            map = permuteMap(new int[] {n, c, h / b, b, w / b, b}, new int[] {0, 3, 5, 1, 2, 4});
        } else if (crd) {
            map = permuteMap(new int[] {n, c / (b * b), b, b, h, w}, new int[] {0, 1, 4, 2, 5, 3});
        } else {
            map = permuteMap(new int[] {n, b, b, c / (b * b), h, w}, new int[] {0, 3, 4, 1, 5, 2});
        }
        return new Plan(o, map);
    }
}
