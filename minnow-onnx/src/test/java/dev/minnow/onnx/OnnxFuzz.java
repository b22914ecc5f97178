package dev.minnow.onnx;

import dev.minnow.errors.MinnowException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.onnx.proto.OnnxProto.AttributeProto;
import dev.minnow.onnx.proto.OnnxProto.GraphProto;
import dev.minnow.onnx.proto.OnnxProto.ModelProto;
import dev.minnow.onnx.proto.OnnxProto.NodeProto;
import dev.minnow.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.minnow.onnx.proto.OnnxProto.TensorProto;
import dev.minnow.onnx.proto.OnnxProto.TensorShapeProto;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A seeded fuzzer for the ONNX reader and the ops behind it: case i mutates one seed model
 * (random bytes, a truncation, or a field set to a nasty value) with a generator made from
 * (seed, i), so any case can be replayed alone, then loads it and runs it through
 * {@link GraphRunner} on random inputs within a time limit. A case passes when it runs or is
 * refused with a MinnowException that is not an {@link OpFailedException} (a crash inside an op);
 * any other exception, an Error (OutOfMemoryError, StackOverflowError) or a hang is a violation.
 * The long run: {@code ./mvnw -o -B test -Dtest=FuzzTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dminnow.fuzz.cases=100000} (see docs/ONNX.md, "Fuzzing").
 */
final class OnnxFuzz {
    /**
     * Node tests used as seeds, all within the opsets Minnow reads (7-22). The suite stores some
     * models at opset 23-25 only; those listed in {@link #RELABEL} are re-labelled opset 21, where the
     * op means the same (opsets 23-25 added element types to Reshape, Transpose, Squeeze, Unsqueeze,
     * Flatten, Cast, ConstantOfShape and Pad, nothing else).
     */
    static final List<String> SEEDS = List.of("test_conv_with_strides_padding", "test_maxpool_2d_pads",
            "test_gemm_default_matrix_bias", "test_reshape_reordered_all_dims", "test_add_bcast", "test_slice",
            "test_gather_0", "test_concat_2d_axis_0", "test_batchnorm_example", "test_averagepool_2d_pads",
            "test_transpose_default", "test_softmax_axis_1", "test_matmul_4d", "test_expand_dim_changed", "test_tile",
            "test_constant_pad", "test_edge_pad", "test_split_variable_parts_1d_opset13", "test_squeeze",
            "test_unsqueeze_axis_0", "test_flatten_axis1", "test_cast_FLOAT_to_FLOAT16", "test_constantofshape_float_ones",
            "test_relu", "test_globalaveragepool", "test_convtranspose", "test_resize_upsample_sizes_nearest",
            "test_reduce_mean_keepdims_example", "test_prelu_broadcast", "test_lrn");
    static final List<String> RELABEL = List.of("test_reshape_reordered_all_dims", "test_transpose_default", "test_squeeze",
            "test_unsqueeze_axis_0", "test_flatten_axis1", "test_cast_FLOAT_to_FLOAT16", "test_constantofshape_float_ones",
            "test_constant_pad", "test_edge_pad");
    static final long DEFAULT_SEED = 20261123;
    private static final long[] NASTY = {0, 1, 2, 3, 7, -1, -5, Integer.MAX_VALUE, 1L << 31, 1L << 40, Long.MAX_VALUE,
            Long.MIN_VALUE};
    /** Inputs with more values than this are not fed (loading the model was the point). */
    private static final long MAX_FED_VALUES = 1 << 22;

    /** One seed model: where it came from and its bytes. */
    record Seed(String name, long opset, byte[] bytes) {
    }

    /**
     * cases run; outcomes by kind ("ran", "input too large to feed", or the simple name of the
     * MinnowException that refused the case cleanly); violations, each replayable by its case index.
     */
    record Result(int cases, Map<String, Integer> outcomes, List<String> violations, long millis) {
        int rejected() {
            return outcomes.entrySet().stream().filter(e -> e.getKey().endsWith("Exception")).mapToInt(Map.Entry::getValue).sum();
        }

        String summary() {
            return "ONNX fuzz: " + cases + " cases in " + millis / 1000.0 + " s; " + outcomes.getOrDefault("ran", 0)
                    + " ran, " + rejected() + " rejected with a clean message, " + violations.size() + " violations; outcomes "
                    + outcomes;
        }
    }

    private OnnxFuzz() {
    }

    /** The seeds found under the node test folder (plus mnist-cntk.onnx from shared/models when present). */
    static List<Seed> seeds(Path nodeTests) throws IOException {
        List<Seed> seeds = new ArrayList<>();
        for (String name : SEEDS) {
            Path p = nodeTests.resolve(name).resolve("model.onnx");
            if (!Files.isRegularFile(p)) {
                throw new IOException("seed model " + p + " is missing from the ONNX node tests");
            }
            ModelProto m = ModelProto.parseFrom(Files.readAllBytes(p));
            if (RELABEL.contains(name)) {
                ModelProto.Builder b = m.toBuilder().clearOpsetImport();
                for (OperatorSetIdProto o : m.getOpsetImportList()) {
                    b.addOpsetImport(o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx") ? o.toBuilder().setVersion(21).build() : o);
                }
                m = b.build();
            }
            seeds.add(new Seed(name, defaultOpset(m), bindIntegerInputs(m, p.getParent().resolve("test_data_set_0")).toByteArray()));
        }
        Path mnist = SharedModelsTest.model("mnist-cntk.onnx");
        if (mnist != null) {
            byte[] b = Files.readAllBytes(mnist);
            seeds.add(new Seed("mnist-cntk.onnx", defaultOpset(ModelProto.parseFrom(b)), b)); // a real exported model
        }
        return seeds;
    }

    /**
     * The model with its integer inputs (shapes, axes, indices) bound to the values of its first
     * data set, as the conformance runner does: Minnow needs shape-deciding values when it loads.
     */
    static ModelProto bindIntegerInputs(ModelProto m, Path dataSet) throws IOException {
        ModelProto.Builder b = m.toBuilder();
        java.util.Set<String> inits = new java.util.HashSet<>();
        m.getGraph().getInitializerList().forEach(t -> inits.add(t.getName()));
        List<String> inputs = m.getGraph().getInputList().stream().map(v -> v.getName()).filter(n -> !inits.contains(n)).toList();
        for (int i = 0; i < inputs.size(); i++) {
            Path p = dataSet.resolve("input_" + i + ".pb");
            if (Files.isRegularFile(p)) {
                Tensor t = Conformance.readTensor(p);
                if (t.dtype() == dev.minnow.tensor.DType.INT64 || t.dtype() == dev.minnow.tensor.DType.INT32) {
                    b.getGraphBuilder().addInitializer(TensorCodec.encode(inputs.get(i), t));
                }
            }
        }
        return b.build();
    }

    static long defaultOpset(ModelProto m) {
        return m.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToLong(OperatorSetIdProto::getVersion).max().orElse(-1);
    }

    /** Loads and runs one mutated model: see {@link #runCase}. */
    interface CaseRunner {
        String run(byte[] model, long inputSeed);
    }

    /** Runs cases [first, first + count) of the sequence made from seed; stops early after maxViolations. */
    static Result run(List<Seed> seeds, long seed, int first, int count, long caseTimeoutMillis, int maxViolations) {
        return run(seeds, seed, first, count, caseTimeoutMillis, maxViolations, OnnxFuzz::runCase);
    }

    static Result run(List<Seed> seeds, long seed, int first, int count, long caseTimeoutMillis, int maxViolations,
            CaseRunner runner) {
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> violations = new ArrayList<>();
        ExecutorService worker = newWorker();
        long start = System.nanoTime();
        int cases = 0;
        try {
            for (int i = first; i < first + count && violations.size() < maxViolations; i++) {
                SplittableRandom r = new SplittableRandom(seed ^ (i * 0x9E3779B97F4A7C15L));
                Seed s = seeds.get(r.nextInt(seeds.size()));
                int kind = r.nextInt(3);
                String where = "case " + i + " (seed " + seed + ", model " + s.name() + ", " + new String[] {"byte flips",
                    "truncation", "field mutation"}[kind] + ")";
                byte[] bytes;
                try {
                    bytes = kind == 0 ? flipBytes(s.bytes(), r) : kind == 1 ? truncate(s.bytes(), r) : mutateFields(s.bytes(), r);
                } catch (IOException e) {
                    throw new IllegalStateException("seed " + s.name() + " does not parse", e);
                }
                long inputSeed = r.nextLong();
                cases++;
                Future<String> f = worker.submit(() -> runner.run(bytes, inputSeed));
                try {
                    outcomes.merge(f.get(caseTimeoutMillis, TimeUnit.MILLISECONDS), 1, Integer::sum);
                } catch (TimeoutException e) {
                    f.cancel(true);
                    worker.shutdownNow();
                    worker = newWorker(); // the hung thread is a daemon; later cases get a fresh one
                    violations.add(where + ": did not finish within " + caseTimeoutMillis + " ms");
                } catch (ExecutionException e) {
                    Throwable t = e.getCause();
                    violations.add(where + ": " + describe(t));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    violations.add(where + ": interrupted");
                }
            }
        } finally {
            worker.shutdownNow();
        }
        return new Result(cases, outcomes, violations, (System.nanoTime() - start) / 1_000_000);
    }

    private static String describe(Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        String at = st.length == 0 ? "" : " at " + st[0];
        for (StackTraceElement e : st) {
            if (e.getClassName().startsWith("dev.minnow")) {
                at = " at " + e;
                break;
            }
        }
        return (t instanceof OpFailedException ? "crash inside an op: " : "") + t + at;
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(t -> {
            Thread th = new Thread(t, "onnx-fuzz");
            th.setDaemon(true);
            return th;
        });
    }

    /**
     * "ran", "input too large to feed", or the simple name of the MinnowException that refused the
     * model; an OpFailedException or any other Throwable propagates (a violation).
     */
    static String runCase(byte[] bytes, long seed) {
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
                if (n > MAX_FED_VALUES) {
                    return "input too large to feed";
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
            return "ran";
        } catch (OpFailedException e) {
            throw e;
        } catch (MinnowException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new IllegalStateException(e.getClass().getSimpleName() + " without a message", e);
            }
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
        return Arrays.copyOf(seed, r.nextInt(seed.length));
    }

    private static long nasty(SplittableRandom r) {
        return NASTY[r.nextInt(NASTY.length)];
    }

    private static byte[] mutateFields(byte[] seed, SplittableRandom r) throws IOException {
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
                    String[] types = {"Conv", "Relu", "Reshape", "Gather", "Nope", "Split", "Concat", "MaxPool", "Gemm",
                        "Slice", "Tile", "Pad", "Expand", "Resize", "ConstantOfShape"};
                    g.getNodeBuilder(r.nextInt(g.getNodeCount())).setOpType(types[r.nextInt(types.length)]);
                }
            }
        }
        return m.build().toByteArray();
    }

    /**
     * The long run outside JUnit: {@code OnnxFuzz [CASES [SEED [FIRST]]]} with the test classpath;
     * prints the summary and every violation, exits 1 when there is any.
     */
    public static void main(String[] args) throws IOException {
        int cases = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : DEFAULT_SEED;
        int first = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        Path node = BackendTestData.nodeTests();
        if (node == null) {
            System.err.println("ONNX backend test archive (shared/data/onnx-backend-tests.tgz) not found");
            System.exit(2);
        }
        Result r = run(seeds(node), seed, first, cases, 5_000, Integer.MAX_VALUE);
        System.out.println(r.summary());
        r.violations().forEach(v -> System.out.println("  " + v));
        System.exit(r.violations().isEmpty() ? 0 : 1);
    }
}
