package dev.minnow.graph.ops.detection;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * RoiAlign(X [N, C, H, W], rois [R, 4] as (x1, y1, x2, y2), batch_indices [R]): each region
 * split into output_height x output_width bins, each bin the average (mode avg) or maximum
 * (mode max, of the weighted corner values as ONNX Runtime does) of bilinear samples on a
 * sampling_ratio grid (0: adaptive, ceil(roi size / bins)). Coordinates are scaled by
 * spatial_scale and shifted by half a pixel (half_pixel, opset 16 default) or not
 * (output_half_pixel, the opset-10 behaviour). Backward gives X its gradient.
 */
final class RoiAlign extends AbstractOp {
    private final boolean halfPixel;
    private final boolean max;
    private final int outH;
    private final int outW;
    private final int samplingRatio;
    private final double spatialScale;

    RoiAlign(Attributes a) {
        super("RoiAlign", a);
        String ct = a.getString("coordinate_transformation_mode", opset < 16 ? "output_half_pixel" : "half_pixel");
        if (!ct.equals("half_pixel") && !ct.equals("output_half_pixel")) {
            throw unsupported("coordinate_transformation_mode", ct, "half_pixel, output_half_pixel");
        }
        halfPixel = ct.equals("half_pixel");
        String m = a.getString("mode", "avg");
        if (!m.equals("avg") && !m.equals("max")) {
            throw unsupported("mode", m, "avg, max");
        }
        max = m.equals("max");
        outH = (int) a.getInt("output_height", 1);
        outW = (int) a.getInt("output_width", 1);
        samplingRatio = (int) a.getInt("sampling_ratio", 0);
        spatialScale = a.getFloat("spatial_scale", 1.0);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        return List.of(new TensorType(x.dtype(), Shape.of(required(inputs, 1).shape().dim(0), x.shape().dim(1), outH, outW)));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        int r = inputs[2].size();
        double[] out = new double[r * x.shape().dim(1) * outH * outW];
        run(inputs, out, null, null);
        return new Tensor[] {Elems.fromDoubles(x.dtype(), Shape.of(r, x.shape().dim(1), outH, outW), out)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    /**
     * Gradient for X: each bin's gradient spread over its samples' corners by their bilinear
     * weights (avg, divided by the sample count) or given to the corner that won (max). The
     * rois and batch indices get none.
     */
    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] grads = new Tensor[inputs.length];
        if (gradOutputs[0] != null && inputs[0].dtype() == DType.FLOAT32) {
            double[] dx = new double[inputs[0].size()];
            run(inputs, null, Elems.doubles(gradOutputs[0]), dx);
            grads[0] = Elems.fromDoubles(DType.FLOAT32, inputs[0].shape(), dx);
        }
        return grads;
    }

    /** Forward into out (gradOut null), or backward: the adjoint of gradOut added into dx. */
    private void run(Tensor[] inputs, double[] out, double[] gradOut, double[] dx) {
        Tensor x = inputs[0];
        int c = x.shape().dim(1);
        int h = x.shape().dim(2);
        int w = x.shape().dim(3);
        double[] v = Elems.doubles(x);
        double[] rois = Elems.doubles(inputs[1]);
        long[] batch = Elems.longs(inputs[2]);
        int r = batch.length;
        double offset = halfPixel ? 0.5 : 0;
        int[] idx = new int[4];
        double[] wt = new double[4];
        for (int n = 0; n < r; n++) {
            double x0 = rois[n * 4] * spatialScale - offset;
            double y0 = rois[n * 4 + 1] * spatialScale - offset;
            double rw = rois[n * 4 + 2] * spatialScale - offset - x0;
            double rh = rois[n * 4 + 3] * spatialScale - offset - y0;
            if (!halfPixel) {
                rw = Math.max(rw, 1);
                rh = Math.max(rh, 1);
            }
            double binH = rh / outH;
            double binW = rw / outW;
            int gridH = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(rh / outH);
            int gridW = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(rw / outW);
            int count = Math.max(gridH * gridW, 1);
            for (int ch = 0; ch < c; ch++) {
                int plane = (int) ((batch[n] * c + ch) * h * w);
                for (int ph = 0; ph < outH; ph++) {
                    for (int pw = 0; pw < outW; pw++) {
                        int o = ((n * c + ch) * outH + ph) * outW + pw;
                        double g = gradOut == null ? 0 : gradOut[o];
                        double acc = max ? Double.NEGATIVE_INFINITY : 0;
                        int bestIdx = -1;
                        double bestWeight = 0;
                        for (int iy = 0; iy < gridH; iy++) {
                            double yy = y0 + ph * binH + (iy + 0.5) * binH / gridH;
                            for (int ix = 0; ix < gridW; ix++) {
                                double xx = x0 + pw * binW + (ix + 0.5) * binW / gridW;
                                double s = 0;
                                int best = -1;
                                if (corners(plane, h, w, yy, xx, idx, wt)) {
                                    for (int k = 0; k < 4; k++) {
                                        double term = wt[k] * v[idx[k]];
                                        if (!max) {
                                            s += term;
                                            if (dx != null) {
                                                dx[idx[k]] += g * wt[k] / count;
                                            }
                                        } else if (best < 0 || term > s) {
                                            s = term;
                                            best = k;
                                        }
                                    }
                                }
                                if (max && s > acc) {
                                    acc = s;
                                    bestIdx = best < 0 ? -1 : idx[best];
                                    bestWeight = best < 0 ? 0 : wt[best];
                                } else if (!max) {
                                    acc += s;
                                }
                            }
                        }
                        if (dx != null) {
                            if (max && bestIdx >= 0) {
                                dx[bestIdx] += g * bestWeight;
                            }
                        } else {
                            out[o] = max ? (gridH * gridW == 0 ? 0 : acc) : acc / count;
                        }
                    }
                }
            }
        }
    }

    /**
     * The four bilinear corners of (y, x) (flat indices into the plane, then weights), as ONNX
     * Runtime clamps them at the border; false when the point is outside (the sample is 0).
     */
    private static boolean corners(int plane, int h, int w, double y, double x, int[] idx, double[] wt) {
        if (y < -1 || y > h || x < -1 || x > w) {
            return false;
        }
        y = Math.max(y, 0);
        x = Math.max(x, 0);
        int yl = (int) y;
        int xl = (int) x;
        int yh;
        int xh;
        if (yl >= h - 1) {
            yl = yh = h - 1;
            y = yl;
        } else {
            yh = yl + 1;
        }
        if (xl >= w - 1) {
            xl = xh = w - 1;
            x = xl;
        } else {
            xh = xl + 1;
        }
        double ly = y - yl;
        double lx = x - xl;
        idx[0] = plane + yl * w + xl;
        idx[1] = plane + yl * w + xh;
        idx[2] = plane + yh * w + xl;
        idx[3] = plane + yh * w + xh;
        wt[0] = (1 - ly) * (1 - lx);
        wt[1] = (1 - ly) * lx;
        wt[2] = ly * (1 - lx);
        wt[3] = ly * lx;
        return true;
    }
}
