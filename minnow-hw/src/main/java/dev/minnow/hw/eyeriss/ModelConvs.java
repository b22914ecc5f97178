package dev.minnow.hw.eyeriss;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.TensorType;
import java.util.ArrayList;
import java.util.List;

/** A model's 2-D convolutions as Eyeriss layer shapes (padded input, groups kept); the rest listed as skipped. */
public record ModelConvs(List<ConvShape> layers, List<String> skipped) {
    public ModelConvs {
        layers = List.copyOf(layers);
        skipped = List.copyOf(skipped);
    }

    public static ModelConvs of(Graph g) {
        if (!g.isValidated()) {
            g.validate();
        }
        List<ConvShape> out = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (!n.opType().equals("Conv") && !n.opType().equals("FusedConv")) {
                if (n.opType().equals("Gemm") || n.opType().equals("MatMul")) {
                    skipped.add(n.name() + " (fully connected: see --hw eie)");
                }
                continue;
            }
            TensorType x = g.type(n.input(0));
            TensorType w = g.type(n.input(1));
            long[] dil = n.attributes().getInts("dilations", new long[] {1, 1});
            long[] strides = n.attributes().getInts("strides", new long[] {1, 1});
            if (x == null || w == null || x.shape().rank() != 4 || dil[0] != 1 || dil[1] != 1 || strides[0] != strides[1]) {
                skipped.add(n.name() + " (not a square-stride, undilated 2-D convolution)");
                continue;
            }
            long[] pads = n.attributes().getInts("pads", new long[] {0, 0, 0, 0});
            int group = (int) n.attributes().getInt("group", 1);
            out.add(new ConvShape(n.name(), w.shape().dim(1), x.shape().dim(2) + (int) (pads[0] + pads[2]),
                    x.shape().dim(3) + (int) (pads[1] + pads[3]), w.shape().dim(0) / group, w.shape().dim(2),
                    w.shape().dim(3), (int) strides[0], group));
        }
        return new ModelConvs(out, skipped);
    }
}
