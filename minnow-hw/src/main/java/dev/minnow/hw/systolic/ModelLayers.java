package dev.minnow.hw.systolic;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.TensorType;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's convolutions and fully connected layers as SCALE-Sim topology rows, at batch 1: a
 * convolution's padded input is the IFMAP (SCALE-Sim adds no padding); a grouped convolution is
 * one row per group (SCALE-Sim's rule for depthwise layers); a Gemm or MatMul of [1, K] by [K, N]
 * is a 1x1 convolution over a 1x1 input with K channels and N filters. Layers the array cannot
 * take (dilated or 1-D/3-D convolutions, batched MatMul) are listed in {@link #skipped()}.
 */
public record ModelLayers(List<ConvLayer> layers, List<String> skipped) {
    public ModelLayers {
        layers = List.copyOf(layers);
        skipped = List.copyOf(skipped);
    }

    public static ModelLayers of(Graph g) {
        if (!g.isValidated()) {
            g.validate();
        }
        List<ConvLayer> rows = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Node n : g.nodes()) {
            String op = n.opType();
            boolean conv = op.equals("Conv") || op.equals("FusedConv");
            if (conv) {
                TensorType x = g.type(n.input(0));
                TensorType w = g.type(n.input(1));
                if (x == null || w == null || x.shape().rank() != 4 || w.shape().rank() != 4) {
                    skipped.add(n.name() + " (not a 2-D convolution)");
                    continue;
                }
                long[] dil = n.attributes().getInts("dilations", new long[] {1, 1});
                if (dil[0] != 1 || dil[1] != 1) {
                    skipped.add(n.name() + " (dilated)");
                    continue;
                }
                long[] pads = n.attributes().getInts("pads", new long[] {0, 0, 0, 0});
                long[] strides = n.attributes().getInts("strides", new long[] {1, 1});
                int group = (int) n.attributes().getInt("group", 1);
                int h = x.shape().dim(2) + (int) (pads[0] + pads[2]);
                int wd = x.shape().dim(3) + (int) (pads[1] + pads[3]);
                int m = w.shape().dim(0);
                for (int k = 0; k < group; k++) {
                    rows.add(new ConvLayer(group == 1 ? n.name() : n.name() + "#" + k, h, wd, w.shape().dim(2),
                            w.shape().dim(3), w.shape().dim(1), m / group, (int) strides[0], (int) strides[1]));
                }
            } else if (op.equals("Gemm") || op.equals("MatMul")) {
                TensorType a = g.type(n.input(0));
                TensorType b = g.type(n.input(1));
                if (a == null || b == null || a.shape().rank() != 2 || b.shape().rank() != 2) {
                    skipped.add(n.name() + " (not a [N, K] x [K, M] layer)");
                    continue;
                }
                boolean transB = op.equals("Gemm") && n.attributes().getInt("transB", 0) != 0;
                int k = a.shape().dim(1);
                int out = transB ? b.shape().dim(0) : b.shape().dim(1);
                rows.add(new ConvLayer(n.name(), 1, 1, 1, 1, k, out, 1, 1));
            }
        }
        return new ModelLayers(rows, skipped);
    }
}
