package dev.minnow.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.minnow.errors.MinnowException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.onnx.proto.OnnxProto.AttributeProto;
import dev.minnow.onnx.proto.OnnxProto.GraphProto;
import dev.minnow.onnx.proto.OnnxProto.ModelProto;
import dev.minnow.onnx.proto.OnnxProto.NodeProto;
import dev.minnow.onnx.proto.OnnxProto.TensorProto;
import dev.minnow.onnx.proto.OnnxProto.TensorShapeProto;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Mutates bytes and fields of backend-suite models for a bounded time. Every case must load and
 * run, or throw a MinnowException: never another exception, never OutOfMemoryError, never a hang.
 * Op crashes surface as OpFailedException (a MinnowException) and are listed for the op authors.
 */
class FuzzTest {
    private static final List<String> MODELS = List.of("test_conv_with_strides_padding", "test_maxpool_2d_pads",
            "test_gemm_default_matrix_bias", "test_reshape_reordered_all_dims", "test_add_bcast", "test_slice",
            "test_gather_0", "test_concat_2d_axis_0", "test_batchnorm_example", "test_averagepool_2d_pads",
            "test_transpose_default", "test_softmax_axis_1", "test_matmul_4d", "test_expand_dim_changed", "test_tile",
            "test_pad", "test_split_variable_parts_1d_opset13", "test_squeeze", "test_cast_FLOAT_to_FLOAT16",
            "test_constantofshape_float_ones");
    private static final long BUDGET_MILLIS = 12_000;
    private static final long CASE_TIMEOUT_MILLIS = 5_000;
    private static final long[] NASTY = {0, 1, 2, 3, 7, -1, -5, Integer.MAX_VALUE, 1L << 31, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE};

    @Test
    void mutatedModelsFailCleanly() throws Exception {
        Path node = BackendTestData.nodeTests();
        assumeTrue(node != null, "ONNX backend test archive not found beside the checkout");
        List<byte[]> seeds = new ArrayList<>();
        for (String m : MODELS) {
            Path p = node.resolve(m).resolve("model.onnx");
            if (Files.exists(p)) {
                seeds.add(Files.readAllBytes(p));
            }
        }
        Path mnist = SharedModelsTest.model("mnist-cntk.onnx");
        if (mnist != null) {
            seeds.add(Files.readAllBytes(mnist)); // a real exported model (opset 7)
        }
        assumeTrue(seeds.size() >= 5, "too few seed models found");
        SplittableRandom r = new SplittableRandom(20261123);
        ExecutorService pool = Executors.newCachedThreadPool(t -> {
            Thread th = new Thread(t, "onnx-fuzz");
            th.setDaemon(true);
            return th;
        });
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> opBugs = new ArrayList<>();
        List<String> violations = new ArrayList<>();
        long end = System.currentTimeMillis() + BUDGET_MILLIS;
        int cases = 0;
        try {
            while (System.currentTimeMillis() < end && violations.isEmpty()) {
                byte[] seed = seeds.get(r.nextInt(seeds.size()));
                int kind = r.nextInt(3);
                byte[] bytes = kind == 0 ? flipBytes(seed, r) : kind == 1 ? truncate(seed, r) : mutateFields(seed, r);
                long caseSeed = r.nextLong();
                cases++;
                Future<String> f = pool.submit(() -> runCase(bytes, caseSeed));
                try {
                    String outcome = f.get(CASE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                    if (outcome.startsWith("OpFailedException")) {
                        opBugs.add(outcome);
                        outcome = "OpFailedException";
                    }
                    outcomes.merge(outcome.split(":")[0], 1, Integer::sum);
                } catch (TimeoutException e) {
                    f.cancel(true);
                    violations.add("case " + cases + " (mutation kind " + kind + ") did not finish in " + CASE_TIMEOUT_MILLIS + " ms");
                } catch (java.util.concurrent.ExecutionException e) {
                    violations.add("case " + cases + " (mutation kind " + kind + ") threw " + e.getCause());
                    e.getCause().printStackTrace();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("ONNX fuzz: " + cases + " cases, outcomes " + outcomes);
        opBugs.stream().map(b -> b.replaceAll("Index \\d+ out of bounds for length \\d+", "Index out of bounds")).distinct().limit(30).forEach(b -> System.out.println("  op bug: " + b));
        assertTrue(cases > 20, "only " + cases + " cases ran");
        assertTrue(violations.isEmpty(), String.join("\n", violations));
    }

    /** "ok", or the simple name of the MinnowException thrown; anything else propagates. */
    private static String runCase(byte[] bytes, long seed) {
        try {
            Graph g = Onnx.fromBytes(bytes);
            SplittableRandom r = new SplittableRandom(seed);
            Map<String, Tensor> inputs = new HashMap<>();
            for (Value v : g.inputs()) {
                int[] dims = v.type().shape().dims();
                long n = 1;
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = dims[i] < 0 ? 1 + r.nextInt(3) : dims[i];
                    n *= dims[i];
                }
                if (n > 1 << 22) {
                    return "ok"; // declared input too large to feed here; loading was the point
                }
                Tensor t = Tensor.zeros(v.type().dtype(), Shape.of(dims));
                if (t.data() instanceof float[] a) {
                    for (int i = 0; i < a.length; i++) {
                        a[i] = (float) r.nextGaussian();
                    }
                }
                inputs.put(v.name(), t);
            }
            GraphRunner.run(g, inputs);
            return "ok";
        } catch (OpFailedException e) {
            return "OpFailedException: " + e.getMessage();
        } catch (MinnowException e) {
            return e.getClass().getSimpleName();
        }
    }

    private static byte[] flipBytes(byte[] seed, SplittableRandom r) {
        byte[] b = seed.clone();
        int flips = 1 + r.nextInt(8);
        for (int i = 0; i < flips; i++) {
            b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        }
        return b;
    }

    private static byte[] truncate(byte[] seed, SplittableRandom r) {
        return java.util.Arrays.copyOf(seed, r.nextInt(seed.length));
    }

    private static long nasty(SplittableRandom r) {
        return NASTY[r.nextInt(NASTY.length)];
    }

    private static byte[] mutateFields(byte[] seed, SplittableRandom r) throws Exception {
        ModelProto.Builder m = ModelProto.parseFrom(seed).toBuilder();
        GraphProto.Builder g = m.getGraphBuilder();
        switch (r.nextInt(8)) {
            case 0 -> m.getOpsetImportBuilder(0).setVersion(nasty(r));
            case 1 -> { // a dim of a graph input
                if (g.getInputCount() > 0) {
                    TensorShapeProto.Builder s = g.getInputBuilder(r.nextInt(g.getInputCount())).getTypeBuilder()
                            .getTensorTypeBuilder().getShapeBuilder();
                    if (s.getDimCount() > 0) {
                        s.getDimBuilder(r.nextInt(s.getDimCount())).setDimValue(nasty(r));
                    } else {
                        s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(nasty(r)));
                    }
                }
            }
            case 2 -> { // element type of an input or output
                var list = r.nextBoolean() ? g.getInputBuilderList() : g.getOutputBuilderList();
                if (!list.isEmpty()) {
                    list.get(r.nextInt(list.size())).getTypeBuilder().getTensorTypeBuilder().setElemType(r.nextInt(30));
                }
            }
            case 3 -> { // an integer attribute or list
                if (g.getNodeCount() > 0) {
                    NodeProto.Builder n = g.getNodeBuilder(r.nextInt(g.getNodeCount()));
                    if (n.getAttributeCount() > 0) {
                        AttributeProto.Builder a = n.getAttributeBuilder(r.nextInt(n.getAttributeCount()));
                        if (a.getIntsCount() > 0) {
                            a.setInts(r.nextInt(a.getIntsCount()), nasty(r));
                        } else {
                            a.setI(nasty(r)).setF((float) nasty(r));
                        }
                    } else {
                        n.addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(nasty(r)));
                    }
                }
            }
            case 4 -> { // node wiring: point an input at an output of itself or a missing name
                if (g.getNodeCount() > 0) {
                    NodeProto.Builder n = g.getNodeBuilder(r.nextInt(g.getNodeCount()));
                    if (n.getInputCount() > 0) {
                        n.setInput(r.nextInt(n.getInputCount()), r.nextBoolean() && n.getOutputCount() > 0 ? n.getOutput(0) : "ghost");
                    }
                }
            }
            case 5 -> { // a constant tensor: dims or type
                TensorProto.Builder t = g.getInitializerCount() > 0 ? g.getInitializerBuilder(r.nextInt(g.getInitializerCount())) : null;
                if (t == null) {
                    g.addInitializer(TensorProto.newBuilder().setName(g.getInputCount() > 0 ? g.getInput(0).getName() : "x")
                            .setDataType(1).addDims(nasty(r)).addDims(nasty(r)));
                } else if (r.nextBoolean() && t.getDimsCount() > 0) {
                    t.setDims(r.nextInt(t.getDimsCount()), nasty(r));
                } else {
                    t.setDataType(r.nextInt(30));
                }
            }
            case 6 -> { // duplicate a node (a value produced twice)
                if (g.getNodeCount() > 0) {
                    g.addNode(g.getNode(r.nextInt(g.getNodeCount())));
                }
            }
            default -> { // op type renamed
                if (g.getNodeCount() > 0) {
                    String[] types = {"Conv", "Relu", "Reshape", "Gather", "Nope", "Split", "Concat", "MaxPool", "Gemm"};
                    g.getNodeBuilder(r.nextInt(g.getNodeCount())).setOpType(types[r.nextInt(types.length)]);
                }
            }
        }
        return m.build().toByteArray();
    }
}
