package dev.minnow.compress.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.pass.PassResult;
import dev.minnow.onnx.Onnx;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.TrainingExecutor;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Channel pruning on a ResNet exported by PyTorch (tools/golden/torch_resnet_export.py): its
 * node names, its batch norm folded into the convolutions, its 1x1 projection shortcuts. No hints:
 * the dependency analysis finds the residual streams itself.
 */
class ImportedModelPruningTest {
    private static Path golden(String name) throws IOException {
        Path dir = Files.createTempDirectory("golden");
        try (InputStream in = ImportedModelPruningTest.class.getResourceAsStream("/golden/" + name)) {
            Path p = dir.resolve(name);
            Files.copy(in, p);
            return p;
        }
    }

    /** The golden input and PyTorch's output (magic MNGL, version 1, int32 count + float32 values, twice). */
    private static float[][] io() throws IOException {
        byte[] b;
        try (InputStream in = ImportedModelPruningTest.class.getResourceAsStream("/golden/torch-resnet8-io.bin")) {
            b = in.readAllBytes();
        }
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[4];
        buf.get(magic);
        assertEquals("MNGL", new String(magic, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(1, buf.getInt());
        float[][] r = new float[2][];
        for (int k = 0; k < 2; k++) {
            r[k] = new float[buf.getInt()];
            for (int i = 0; i < r[k].length; i++) {
                r[k][i] = buf.getFloat();
            }
        }
        return r;
    }

    @Test
    void pytorchResnetPrunesThroughItsResidualStreams() throws IOException {
        Graph g = Onnx.read(golden("torch-resnet8.onnx"));
        float[][] io = io();
        Tensor x = Tensor.of(Shape.of(2, 3, 32, 32), io[0]);
        float[] y = new TrainingExecutor(g).predict(x).floats();
        for (int i = 0; i < y.length; i++) {
            assertEquals(io[1][i], y[i], 1e-3 * (1 + Math.abs(io[1][i])), "imported model agrees with PyTorch");
        }
        ChannelDependencies deps = ChannelDependencies.of(g);
        // 3 residual streams (stem + layer1, layer2 with its shortcut, layer3 with its shortcut) and 3 inner convs
        assertEquals(6, deps.prunableGroups().size());
        ChannelGroup stage2 = deps.groupOf(producerOutput(g, "/layer2/conv2/Conv"));
        assertTrue(stage2.sourceNodes().contains("/layer2/shortcut/shortcut.0/Conv"), stage2.sourceNodes().toString());
        PassResult r = new ChannelPruner(Importance.l1(), 8).prune(g, 0.5);
        assertTrue(r.graph().macs() < 0.5 * g.macs(), r.graph().macs() + " of " + g.macs());
        // every 16/32/64 layer keeps a multiple of 8
        for (Node n : r.graph().nodes()) {
            if (n.opType().equals("Conv")) {
                assertEquals(0, r.graph().type(n.output(0)).shape().dim(1) % 8, n.name());
            }
        }
        // the pruned graph equals the original with the removed channels' weights zeroed (conv biases too)
        List<ChannelClass> removed = new ArrayList<>();
        ChannelPruner p = new ChannelPruner(Importance.l1(), 8);
        for (ChannelGroup grp : deps.prunableGroups()) {
            removed.addAll(p.choose(g, grp, 0.5));
        }
        Graph z = g.copy();
        for (ChannelClass c : removed) {
            for (ChannelDependencies.Binding bd : c.bindings()) {
                if (bd.source()) {
                    Tensor t = z.initializers().get(bd.initializer());
                    AxisSlice.of(t, bd.axis(), bd.index()).zero(t.floats());
                }
            }
        }
        float[] want = new TrainingExecutor(z).predict(x).floats();
        float[] got = new TrainingExecutor(r.graph()).predict(x).floats();
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-4 * (1 + Math.abs(want[i])));
        }
        Path out = Files.createTempFile("pruned", ".onnx");
        Onnx.write(r.graph(), out);
        float[] again = new TrainingExecutor(Onnx.read(out)).predict(x).floats();
        assertEquals(got[3], again[3], 1e-6, "the pruned graph round-trips through ONNX");
    }

    private static String producerOutput(Graph g, String node) {
        return g.nodes().stream().filter(n -> n.name().equals(node)).findFirst().orElseThrow().output(0);
    }
}
