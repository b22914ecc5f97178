package dev.minnow.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.graph.ops.nn.ConvOp;
import dev.minnow.graph.ops.nn.FusedConvOp;
import dev.minnow.graph.pass.PassResult;
import dev.minnow.infer.spi.Kernel;
import dev.minnow.infer.spi.KernelProvider;
import dev.minnow.infer.spi.KernelRequest;
import dev.minnow.kernels.Conv2dNaive;
import dev.minnow.kernels.ConvGeometry;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.TrainingExecutor;
import dev.minnow.zoo.Zoo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The executor's seams used the way compression will: providers, options, the fusion pass, the observer. */
class InferenceSeamsTest {

    /** Runs every Conv it is offered (NCHW only) through the naive loops, counting calls. */
    static final class NaiveConvProvider implements KernelProvider {
        final AtomicInteger runs = new AtomicInteger();
        final List<String> claimed = new ArrayList<>();

        @Override
        public int priority() {
            return 10; // before the built-in conv provider
        }

        @Override
        public Kernel kernelFor(KernelRequest r) {
            if (!(r.node().op() instanceof ConvOp conv) || r.channelLast() || r.inputType(0).shape().rank() != 4) {
                return null;
            }
            claimed.add(r.node().name());
            return (in, buffer, out) -> {
                ConvGeometry g = conv.geometry(in[0].shape(), in[1].shape());
                float[] y = new float[g.outputSize()];
                Conv2dNaive.forward(g, in[0].floats(), in[1].floats(), in.length > 2 && in[2] != null ? in[2].floats() : null, y);
                out[0] = Tensor.wrap(DType.FLOAT32, Shape.of(g.batch(), g.outChannels(), g.outH(), g.outW()), y);
                runs.incrementAndGet();
            };
        }
    }

    @Test
    void providerFromOptionsIsPickedForItsNodesAndItsOutputChecked() {
        Graph g = Zoo.build("resnet20", 3);
        InferenceExecutorTest.randomizeBatchNorm(g, new SplittableRandom(5));
        NaiveConvProvider naive = new NaiveConvProvider();
        InferenceExecutor ex = InferenceExecutor.of(g, ExecutionOptions.builder().provider(naive).build());
        // the fusion pass made FusedConv nodes (conv + relu) for the built-in provider; the plain Convs are the naive one's
        long plainConvs = ex.graph().nodes().stream().filter(n -> n.opType().equals("Conv")).count();
        assertTrue(plainConvs > 0 && ex.graph().nodes().stream().anyMatch(n -> n.opType().equals(FusedConvOp.TYPE)));
        assertEquals(plainConvs, naive.claimed.size(), "asked for every Conv node: " + naive.claimed);
        for (String name : naive.claimed) {
            assertTrue(ex.providedKernel(name));
        }
        Tensor x = InferenceExecutorTest.image(g, 2, new SplittableRandom(3));
        float[] want = new TrainingExecutor(g).predict(x).floats();
        InferenceExecutorTest.assertClose(want, ex.run(x).floats(), "resnet20 with naive convs");
        assertEquals(plainConvs, naive.runs.get(), "each claimed node ran once");
    }

    @Test
    void providerFoundByServiceLoaderRunsItsNode() {
        Graph g = new Graph("softsign");
        g.addInput(new Value("x", TensorType.f32(2, 5)));
        g.addNode(new Node("s", OpRegistry.global().create("Softsign", new Attributes()), List.of("x"), List.of("y")));
        g.addNode(new Node("r", OpRegistry.global().create("Relu", new Attributes()), List.of("y"), List.of("z")));
        g.addOutput(new Value("z", TensorType.f32(2, 5)));
        g.validate();
        InferenceExecutor ex = InferenceExecutor.of(g);
        assertTrue(ex.kernels().get(0) instanceof SoftsignTestProvider.SoftsignKernel, "the service's kernel runs Softsign");
        float[] xs = {-3, -1, -0.25f, 0, 0.5f, 1, 2, 4, -7, 9};
        Tensor x = Tensor.of(Shape.of(2, 5), xs);
        float[] got = ex.run(x).floats();
        float[] want = new TrainingExecutor(g).predict(x).floats();
        for (int i = 0; i < xs.length; i++) {
            assertEquals(Math.max(0, xs[i] / (1 + Math.abs(xs[i]))), got[i], 1e-6);
            assertEquals(want[i], got[i], 1e-6);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet20", "mobilenetv2-cifar", "squeezenet1.1"})
    void everySwitchGivesTheSameResult(String model) {
        Graph g = Zoo.build(model, 3);
        InferenceExecutorTest.randomizeBatchNorm(g, new SplittableRandom(5));
        Tensor x = InferenceExecutorTest.image(g, 2, new SplittableRandom(9));
        float[] want = new TrainingExecutor(g).predict(x).floats();
        ExecutionOptions off = ExecutionOptions.builder().shiftedConv(false).channelLast(false).directConv(false)
                .nhwcChains(false).build();
        InferenceExecutor plain = InferenceExecutor.of(g, off);
        InferenceExecutorTest.assertClose(want, plain.run(x).floats(), model + " with every switch off");
        assertEquals(0, plain.summary().nhwcConvs(), "nhwcChains=false: no channel-last step");
        InferenceExecutor unfused = InferenceExecutor.of(g, ExecutionOptions.builder().rewrite(false).build());
        assertTrue(unfused.passRecords().isEmpty());
        assertEquals(g.nodes().size(), unfused.graph().nodes().size(), "rewrite=false runs the graph as given");
        InferenceExecutorTest.assertClose(want, unfused.run(x).floats(), model + " unrewritten");
    }

    @Test
    void fusionPassMakesMinnowDomainNodesThatComputeWhatTheyReplace() {
        Graph g = Zoo.build("mobilenetv2-cifar", 3);
        InferenceExecutorTest.randomizeBatchNorm(g, new SplittableRandom(5));
        PassResult r = new BatchNormFolding().run(g);
        PassResult fused = new ActivationFusion().run(r.graph());
        long fusedConvs = fused.graph().nodes().stream().filter(n -> n.opType().equals(FusedConvOp.TYPE)).count();
        assertTrue(fusedConvs > 0);
        assertEquals(fusedConvs + fused.graph().nodes().stream().filter(n -> n.opType().equals("FusedAdd")).count(),
                fused.record().count("fused"));
        assertTrue(fused.graph().nodes().stream().filter(n -> n.opType().startsWith("Fused"))
                .allMatch(n -> n.domain().equals(OpRegistry.MINNOW_DOMAIN)));
        assertEquals(0, fused.graph().nodes().stream().filter(n -> n.opType().equals("Clip")).count(), "every ReLU6 fused");
        // the fused ops' own forward (as any executor without kernels runs them) computes the same
        Tensor x = InferenceExecutorTest.image(g, 2, new SplittableRandom(4));
        InferenceExecutorTest.assertClose(new TrainingExecutor(g).predict(x).floats(),
                new TrainingExecutor(fused.graph()).predict(x).floats(), "fused graph by op forward");
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet20", "mobilenetv2-cifar", "squeezenet1.1"})
    void observerSeesEveryValueOfTheSourceGraph(String model) {
        Graph g = Zoo.build(model, 3);
        InferenceExecutorTest.randomizeBatchNorm(g, new SplittableRandom(5));
        Map<String, Tensor> seen = new HashMap<>();
        Map<String, String> producers = new HashMap<>();
        InferenceExecutor ex = InferenceExecutor.of(g, ExecutionOptions.builder().observer((value, node, t) -> {
            seen.put(value, t.copy()); // the storage may be reused by a later step
            producers.put(value, node.name());
        }).build());
        Tensor x = InferenceExecutorTest.image(g, 2, new SplittableRandom(8));
        ex.run(x);
        Map<String, Tensor> want = allValues(g, x);
        for (Node n : g.nodes()) {
            for (String out : n.outputs()) {
                if (out.isEmpty() || !want.containsKey(out)) {
                    continue;
                }
                assertTrue(seen.containsKey(out), model + ": observer missed " + out);
                assertEquals(n.name(), producers.get(out));
                assertEquals(want.get(out).shape(), seen.get(out).shape(), out);
                InferenceExecutorTest.assertClose(want.get(out).floats(), seen.get(out).floats(), model + " value " + out);
            }
        }
    }

    @Test
    void observerSeesChannelLastChainValuesAsNchw() {
        // 1x1 -> depthwise 3x3 -> 1x1 with no activations between: a chain even without fusion
        SplittableRandom rnd = new SplittableRandom(11);
        Graph g = new Graph("chain");
        g.addInput(new Value("x", TensorType.f32(1, 8, 10, 10)));
        conv(g, rnd, "expand", "x", "e", 16, 8, 1, 1);
        conv(g, rnd, "dw", "e", "d", 16, 1, 3, 16);
        conv(g, rnd, "project", "d", "p", 8, 16, 1, 1);
        g.addOutput(new Value("p", TensorType.f32(1, 8, 10, 10)));
        g.validate();
        Map<String, Tensor> seen = new HashMap<>();
        InferenceExecutor ex = InferenceExecutor.of(g, ExecutionOptions.builder()
                .observer((value, node, t) -> seen.put(value, t.copy())).build());
        assertEquals(3, ex.summary().nhwcConvs(), "the chain runs channel-last: " + ex.summary());
        Tensor x = InferenceExecutorTest.image(g, 1, rnd);
        Tensor out = ex.run(Map.of("x", x)).get("p");
        Map<String, Tensor> want = allValues(g, x);
        for (String v : List.of("e", "d", "p")) {
            assertEquals(Shape.of(1, v.equals("p") ? 8 : 16, 10, 10), seen.get(v).shape(), v + " is NCHW");
            InferenceExecutorTest.assertClose(want.get(v).floats(), seen.get(v).floats(), "chain value " + v);
        }
        InferenceExecutorTest.assertClose(want.get("p").floats(), out.floats(), "chain output");
    }

    private static void conv(Graph g, SplittableRandom rnd, String name, String in, String out, int m, int cpg, int k,
                             int group) {
        float[] w = new float[m * cpg * k * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextDouble(-0.5, 0.5);
        }
        g.addInitializer(name + "_W", Tensor.of(Shape.of(m, cpg, k, k), w));
        Attributes a = Attributes.of("group", group, "pads", new int[] {k / 2, k / 2, k / 2, k / 2});
        g.addNode(new Node(name, OpRegistry.global().create("Conv", a), List.of(in, name + "_W"), List.of(out)));
    }

    /** Every node output of g computed by plain per-node forward (inference mode). */
    static Map<String, Tensor> allValues(Graph g, Tensor x) {
        Graph all = g.copy().validate();
        List<Value> outs = new ArrayList<>();
        for (Node n : all.nodes()) {
            for (String o : n.outputs()) {
                if (!o.isEmpty() && all.type(o) != null && all.type(o).dtype() == DType.FLOAT32) {
                    outs.add(new Value(o, all.type(o)));
                }
            }
        }
        all.setOutputs(outs);
        all.validate();
        return new TrainingExecutor(all).forward(Map.of(g.inputs().get(0).name(), x), false, 0);
    }
}
