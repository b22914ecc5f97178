package dev.minnow.compress.quant;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A layer whose constant weight is quantized, seen as a matrix: output channel o of group g is
 * row o (length {@link #rowLength}) applied to a column of the input (a convolution's receptive
 * field, a dense layer's input row). 2-D Conv with explicit pads, Gemm (transA = 0) and MatMul
 * with a rank-2 constant right operand; weights shared by several nodes are left out (rounding
 * them for one layer's inputs would be wrong for the other's).
 *
 * <p>Rows: a Conv's weight [M, C/groups, kh, kw] is already M rows of (c, ky, kx); a Gemm with
 * transB = 1 holds [M, K]; transB = 0 and MatMul hold [K, M], transposed here.
 */
record WeightLayer(String node, String input, String weight, String bias, Kind kind, int outChannels, int groups,
        int rowLength, int[] kernel, int[] strides, int[] pads, int[] dilations) {

    enum Kind { CONV, DENSE_ROWS, DENSE_COLUMNS }

    /** The quantizable layers of a validated graph, in topological order. */
    static List<WeightLayer> find(Graph g) {
        Map<String, Integer> uses = new HashMap<>();
        for (Node n : g.nodes()) {
            for (String in : n.inputs()) {
                uses.merge(in, 1, Integer::sum);
            }
        }
        List<WeightLayer> layers = new ArrayList<>();
        for (Node n : g.nodes()) {
            WeightLayer l = of(g, n);
            if (l != null && uses.get(l.weight) == 1) {
                layers.add(l);
            }
        }
        return layers;
    }

    private static WeightLayer of(Graph g, Node n) {
        if (n.inputs().size() < 2) {
            return null;
        }
        Tensor w = g.initializers().get(n.input(1));
        if (w == null || w.dtype() != DType.FLOAT32 || g.initializers().containsKey(n.input(0))) {
            return null;
        }
        String bias = n.inputs().size() > 2 && !n.input(2).isEmpty() ? n.input(2) : null;
        Attributes a = n.attributes();
        switch (n.opType()) {
            case "Conv" -> {
                String autoPad = a.getString("auto_pad", "NOTSET");
                if (w.shape().rank() != 4 || !autoPad.equals("NOTSET") || !constant(g, bias)) {
                    return null;
                }
                int[] d = w.shape().dims();
                return new WeightLayer(n.name(), n.input(0), n.input(1), bias, Kind.CONV, d[0],
                        (int) a.getInt("group", 1), d[1] * d[2] * d[3], new int[] {d[2], d[3]},
                        a.getIntsAsInt("strides", new int[] {1, 1}), a.getIntsAsInt("pads", new int[] {0, 0, 0, 0}),
                        a.getIntsAsInt("dilations", new int[] {1, 1}));
            }
            case "Gemm" -> {
                if (w.shape().rank() != 2 || a.getInt("transA", 0) != 0 || !constant(g, bias)) {
                    return null;
                }
                boolean rows = a.getInt("transB", 0) != 0;
                int[] d = w.shape().dims();
                return new WeightLayer(n.name(), n.input(0), n.input(1), bias,
                        rows ? Kind.DENSE_ROWS : Kind.DENSE_COLUMNS, rows ? d[0] : d[1], 1, rows ? d[1] : d[0],
                        null, null, null, null);
            }
            case "MatMul" -> {
                if (w.shape().rank() != 2) {
                    return null;
                }
                int[] d = w.shape().dims();
                return new WeightLayer(n.name(), n.input(0), n.input(1), null, Kind.DENSE_COLUMNS, d[1], 1, d[0],
                        null, null, null, null);
            }
            default -> {
                return null;
            }
        }
    }

    private static boolean constant(Graph g, String bias) {
        return bias == null || (g.initializers().containsKey(bias)
                && g.initializers().get(bias).dtype() == DType.FLOAT32);
    }

    /** The weight tensor's axis that holds output channels (per-channel parameters run along it). */
    int channelAxis() {
        return kind == Kind.DENSE_COLUMNS ? 1 : 0;
    }

    int rowsPerGroup() {
        return outChannels / groups;
    }

    /** The weight as M rows of rowLength, row-major. */
    float[] rows(Tensor w) {
        float[] v = w.floats();
        if (kind != Kind.DENSE_COLUMNS) {
            return v.clone();
        }
        float[] r = new float[v.length];
        for (int k = 0; k < rowLength; k++) {
            for (int o = 0; o < outChannels; o++) {
                r[o * rowLength + k] = v[k * outChannels + o];
            }
        }
        return r;
    }

    /** The inverse of {@link #rows}: a tensor of the weight's shape. */
    Tensor fromRows(float[] rows, Shape shape) {
        if (kind != Kind.DENSE_COLUMNS) {
            return Tensor.of(shape, rows.clone());
        }
        float[] v = new float[rows.length];
        for (int k = 0; k < rowLength; k++) {
            for (int o = 0; o < outChannels; o++) {
                v[k * outChannels + o] = rows[o * rowLength + k];
            }
        }
        return Tensor.of(shape, v);
    }

    /** Output positions per image of an input of this shape (a dense layer: rows per sample). */
    int positionsPerImage(Shape in) {
        if (kind == Kind.CONV) {
            return outH(in) * outW(in);
        }
        long rows = in.size() / in.dim(0) / rowLength;
        return (int) rows;
    }

    private int outH(Shape in) {
        return (in.dim(2) + pads[0] + pads[2] - dilations[0] * (kernel[0] - 1) - 1) / strides[0] + 1;
    }

    private int outW(Shape in) {
        return (in.dim(3) + pads[1] + pads[3] - dilations[1] * (kernel[1] - 1) - 1) / strides[1] + 1;
    }

    /**
     * Writes the input columns that group g's rows multiply at the given positions (image index *
     * positionsPerImage + position) into cols, as rowLength rows of positions.length (row-major).
     * Padding reads as zero, as the convolution sees it.
     */
    void columns(Tensor input, int g, int[] positions, float[] cols) {
        float[] x = input.floats();
        int p = positions.length;
        Shape s = input.shape();
        if (kind != Kind.CONV) {
            for (int j = 0; j < p; j++) {
                int base = positions[j] * rowLength;
                for (int k = 0; k < rowLength; k++) {
                    cols[k * p + j] = x[base + k];
                }
            }
            return;
        }
        int channels = s.dim(1);
        int h = s.dim(2);
        int w = s.dim(3);
        int ow = outW(s);
        int per = outH(s) * ow;
        int cg = channels / groups;
        int kh = kernel[0];
        int kw = kernel[1];
        for (int j = 0; j < p; j++) {
            int n = positions[j] / per;
            int oy = positions[j] % per / ow;
            int ox = positions[j] % ow;
            for (int c = 0; c < cg; c++) {
                int plane = (n * channels + g * cg + c) * h * w;
                for (int ky = 0; ky < kh; ky++) {
                    int iy = oy * strides[0] - pads[0] + ky * dilations[0];
                    for (int kx = 0; kx < kw; kx++) {
                        int ix = ox * strides[1] - pads[1] + kx * dilations[1];
                        int k = (c * kh + ky) * kw + kx;
                        cols[k * p + j] = iy >= 0 && iy < h && ix >= 0 && ix < w ? x[plane + iy * w + ix] : 0f;
                    }
                }
            }
        }
    }
}
