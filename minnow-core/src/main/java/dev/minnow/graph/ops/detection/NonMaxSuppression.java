package dev.minnow.graph.ops.detection;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * NonMaxSuppression(boxes [B, N, 4], scores [B, C, N], max_output_boxes_per_class?,
 * iou_threshold?, score_threshold?): per batch and class, boxes with score above the
 * threshold are taken greedily by descending score (ties: lower index first) unless their
 * IoU with an already taken box exceeds iou_threshold. Boxes are corners [y1, x1, y2, x2] in
 * any order (center_point_box=0) or [x_center, y_center, width, height] (=1). Output int64
 * [selected, 3] rows of (batch, class, box). Not differentiable.
 */
final class NonMaxSuppression extends AbstractOp {
    private final boolean centerPoint;

    NonMaxSuppression(Attributes a) {
        super("NonMaxSuppression", a);
        long c = a.getInt("center_point_box", 0);
        if (c != 0 && c != 1) {
            throw unsupported("center_point_box", c, "0, 1");
        }
        centerPoint = c == 1;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        required(inputs, 0);
        required(inputs, 1);
        return List.of(new TensorType(DType.INT64, Shape.of(Shape.UNKNOWN, 3)));
    }

    /** Box as {ymin, xmin, ymax, xmax}. */
    private double[] corners(double[] b, int off) {
        if (centerPoint) {
            double xc = b[off];
            double yc = b[off + 1];
            double w = b[off + 2];
            double h = b[off + 3];
            return new double[] {yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2};
        }
        return new double[] {Math.min(b[off], b[off + 2]), Math.min(b[off + 1], b[off + 3]),
            Math.max(b[off], b[off + 2]), Math.max(b[off + 1], b[off + 3])};
    }

    private static double iou(double[] a, double[] b) {
        double ih = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
        double iw = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
        if (ih <= 0 || iw <= 0) {
            return 0;
        }
        double inter = ih * iw;
        double union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
        return union <= 0 ? 0 : inter / union;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor boxes = inputs[0];
        Tensor scores = inputs[1];
        Tensor maxOut = input(inputs, 2);
        Tensor iouT = input(inputs, 3);
        Tensor scoreT = input(inputs, 4);
        long maxPerClass = maxOut == null || maxOut.size() == 0 ? 0 : maxOut.getLong(0);
        double iouThreshold = iouT == null || iouT.size() == 0 ? 0 : (float) iouT.getDouble(0);
        boolean hasScoreThreshold = scoreT != null && scoreT.size() > 0;
        double scoreThreshold = hasScoreThreshold ? (float) scoreT.getDouble(0) : 0;
        if (boxes.shape().rank() != 3 || boxes.shape().dim(2) != 4 || scores.shape().rank() != 3) {
            throw shapeError("boxes must be [batch, boxes, 4] and scores [batch, classes, boxes], got "
                    + boxes.shape() + " and " + scores.shape());
        }
        int batches = boxes.shape().dim(0);
        int n = boxes.shape().dim(1);
        int classes = scores.shape().dim(1);
        double[] b = Elems.doubles(boxes);
        double[] s = Elems.doubles(scores);
        List<long[]> selected = new ArrayList<>();
        for (int bi = 0; bi < batches; bi++) {
            double[][] c = new double[n][];
            for (int i = 0; i < n; i++) {
                c[i] = corners(b, (bi * n + i) * 4);
            }
            for (int ci = 0; ci < classes; ci++) {
                int base = (bi * classes + ci) * n;
                List<Integer> cand = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    if (!hasScoreThreshold || s[base + i] > scoreThreshold) {
                        cand.add(i);
                    }
                }
                cand.sort((p, q) -> {
                    int cmp = Double.compare(s[base + q], s[base + p]);
                    return cmp != 0 ? cmp : Integer.compare(p, q);
                });
                List<Integer> kept = new ArrayList<>();
                for (int i : cand) {
                    if (kept.size() >= maxPerClass) {
                        break;
                    }
                    boolean keep = true;
                    for (int k : kept) {
                        if (iou(c[i], c[k]) > iouThreshold) {
                            keep = false;
                            break;
                        }
                    }
                    if (keep) {
                        kept.add(i);
                        selected.add(new long[] {bi, ci, i});
                    }
                }
            }
        }
        long[] out = new long[selected.size() * 3];
        for (int i = 0; i < selected.size(); i++) {
            System.arraycopy(selected.get(i), 0, out, i * 3, 3);
        }
        return new Tensor[] {Tensor.wrap(DType.INT64, Shape.of(selected.size(), 3), out)};
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 2 ? InputRole.SETTING : InputRole.DATA;
    }
}
