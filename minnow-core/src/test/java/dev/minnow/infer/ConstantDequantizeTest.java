package dev.minnow.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.infer.kernels.ConstantDequantizeKernels;
import dev.minnow.infer.spi.Kernel;
import dev.minnow.infer.spi.KernelRequest;
import dev.minnow.infer.spi.Layout;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A weight's DequantizeLinear computed once at build: same values as the op, every run. */
class ConstantDequantizeTest {
    private static Tensor codes(SplittableRandom rnd, Shape s) {
        Tensor t = Tensor.zeros(DType.INT8, s);
        for (int i = 0; i < t.size(); i++) {
            t.bytes()[i] = (byte) rnd.nextInt(256);
        }
        return t;
    }

    @Test
    void gemmOnADequantizedWeightMatchesTheOpsAcrossRuns() {
        SplittableRandom rnd = new SplittableRandom(4);
        Graph g = new Graph("dq");
        g.addInput(new Value("x", new TensorType(DType.FLOAT32, Shape.of(2, 6))));
        g.addInitializer("wq", codes(rnd, Shape.of(6, 5)));
        g.addInitializer("ws", Tensor.of(Shape.of(5), 0.1f, 0.2f, 0.05f, 0.3f, 0.01f));
        g.addNode(new Node("dq", OpRegistry.global().create("DequantizeLinear", Attributes.of("axis", 1)),
                List.of("wq", "ws"), List.of("w")));
        g.addNode(new Node("mm", OpRegistry.global().create("MatMul", Attributes.of()), List.of("x", "w"), List.of("y")));
        g.addNode(new Node("r", OpRegistry.global().create("Relu", Attributes.of()), List.of("y"), List.of("z")));
        g.addOutput(new Value("z", new TensorType(DType.FLOAT32, Shape.of(2, 5))));
        g.validate();
        InferenceExecutor ex = InferenceExecutor.of(g);
        Tensor w = OpRegistry.global().create("DequantizeLinear", Attributes.of("axis", 1)).forward(OpContext.inference(),
                new Tensor[] {g.initializers().get("wq"), g.initializers().get("ws")})[0];
        for (int run = 0; run < 3; run++) {
            float[] xv = new float[12];
            for (int i = 0; i < xv.length; i++) {
                xv[i] = (float) rnd.nextGaussian();
            }
            Tensor x = Tensor.of(Shape.of(2, 6), xv);
            float[] want = new float[10];
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 5; j++) {
                    double s = 0;
                    for (int k = 0; k < 6; k++) {
                        s += xv[i * 6 + k] * w.floats()[k * 5 + j];
                    }
                    want[i * 5 + j] = (float) Math.max(0, s);
                }
            }
            assertArrayEquals(want, ex.run(x).floats(), 1e-5f, "run " + run);
        }
    }

    @Test
    void providerComputesOnceAndOnlyForConstants() {
        SplittableRandom rnd = new SplittableRandom(8);
        Node dq = new Node("dq", OpRegistry.global().create("DequantizeLinear", Attributes.of()), List.of("q", "s", "z"),
                List.of("y"));
        Tensor q = codes(rnd, Shape.of(4, 3));
        Tensor s = Tensor.scalar(0.25f);
        Tensor z = Tensor.zeros(DType.INT8, Shape.of());
        z.bytes()[0] = 3;
        List<TensorType> types = List.of(new TensorType(q.dtype(), q.shape()), new TensorType(s.dtype(), s.shape()),
                new TensorType(z.dtype(), z.shape()));
        List<Layout> layouts = new ArrayList<>(Arrays.asList(Layout.NCHW, Layout.NCHW, Layout.NCHW));
        Kernel k = new ConstantDequantizeKernels().kernelFor(new KernelRequest(dq, types, List.of(q, s, z), List.of(true),
                layouts, List.of(Layout.NCHW), dev.minnow.infer.ExecutionOptions.DEFAULT));
        assertNotNull(k);
        Tensor[] out1 = new Tensor[1];
        Tensor[] out2 = new Tensor[1];
        k.run(new Tensor[] {q, s, z}, null, out1);
        k.run(new Tensor[] {q, s, z}, null, out2);
        assertSame(out1[0], out2[0], "computed once");
        float[] want = new float[12];
        for (int i = 0; i < 12; i++) {
            want[i] = (q.bytes()[i] - 3) * 0.25f;
        }
        assertArrayEquals(want, out1[0].floats());
        List<Tensor> computed = new ArrayList<>(Arrays.asList(null, s, z)); // q computed at run time
        assertNull(new ConstantDequantizeKernels().kernelFor(new KernelRequest(dq, types, computed, List.of(true), layouts,
                List.of(Layout.NCHW), dev.minnow.infer.ExecutionOptions.DEFAULT)));
    }
}
