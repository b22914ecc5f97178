package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.OpProvider;
import dev.minnow.graph.OpRegistry;

/**
 * Element-wise math and activations, comparisons, reductions, and shape and indexing ops.
 * Ops read the model's opset from the attribute "_opset" (set by the ONNX importer) where
 * ONNX semantics changed between opsets; without it they follow the newest opset.
 */
public final class TensorOps implements OpProvider {
    @Override
    public void register(OpRegistry r) {
        UnaryOps.register(r);
        BinaryOp.register(r);
        for (String t : new String[] {"Sum", "Mean", "Max", "Min"}) {
            r.register(t, a -> new VariadicOp(t, a));
        }
        r.register("Clip", Clip::new);
        r.register("Where", Where::new);
        r.register("Flatten", Flatten::new);
        r.register("Reshape", Reshape::new);
        r.register("Identity", Identity::new);
        r.register("Squeeze", a -> new Squeeze("Squeeze", a));
        r.register("Unsqueeze", a -> new Squeeze("Unsqueeze", a));
        r.register("Concat", Concat::new);
        r.register("Split", Split::new);
        r.register("Constant", Constant::new);
        r.register("ConstantOfShape", ConstantOfShape::new);
        r.register("Shape", a -> new ShapeOf("Shape", a));
        r.register("Size", a -> new ShapeOf("Size", a));
        r.register("Cast", a -> new Cast("Cast", a));
        r.register("CastLike", a -> new Cast("CastLike", a));
        r.register("Range", Range::new);
        r.register("Resize", a -> new Resize("Resize", a));
        r.register("Upsample", a -> new Resize("Upsample", a));
        r.register("Col2Im", Col2Im::new);
        r.register("Transpose", Transpose::new);
        r.register("Slice", Slice::new);
        r.register("Pad", Pad::new);
        r.register("Expand", Expand::new);
        r.register("Tile", Tile::new);
        r.register("Gather", Gather::new);
        r.register("GatherElements", GatherElements::new);
        r.register("DepthToSpace", a -> new DepthSpace("DepthToSpace", a));
        r.register("SpaceToDepth", a -> new DepthSpace("SpaceToDepth", a));
        for (String k : new String[] {"Sum", "Mean", "Max", "Min", "Prod", "L1", "L2", "LogSum", "LogSumExp", "SumSquare"}) {
            r.register("Reduce" + k, a -> new Reduce("Reduce" + k, a));
        }
        r.register("ArgMax", a -> new ArgExtreme("ArgMax", a));
        r.register("ArgMin", a -> new ArgExtreme("ArgMin", a));
        r.register("TopK", TopK::new);
        r.register("CumSum", a -> new CumSum("CumSum", a));
        r.register("CumProd", a -> new CumSum("CumProd", a));
        r.register("BitCast", BitCast::new);
        r.register("Trilu", Trilu::new);
        r.register("CenterCropPad", CenterCropPad::new);
        r.register("GatherND", GatherND::new);
        r.register("Compress", Compress::new);
        r.register("ScatterElements", a -> new Scatter("ScatterElements", a));
        r.register("Scatter", a -> new Scatter("Scatter", a));
        r.register("ScatterND", a -> new Scatter("ScatterND", a));
        r.register("NonZero", NonZero::new);
        r.register("OneHot", OneHot::new);
        r.register("EyeLike", EyeLike::new);
        r.register("Einsum", Einsum::new);
        r.register("Unique", Unique::new);
        r.register("Det", Det::new);
    }
}
