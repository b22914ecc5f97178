package dev.minnow.onnx;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.errors.MinnowException;
import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Graph;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.onnx.proto.OnnxProto.AttributeProto;
import dev.minnow.onnx.proto.OnnxProto.GraphProto;
import dev.minnow.onnx.proto.OnnxProto.ModelProto;
import dev.minnow.onnx.proto.OnnxProto.NodeProto;
import dev.minnow.onnx.proto.OnnxProto.TensorProto;
import dev.minnow.onnx.proto.OnnxProto.TypeProto;
import dev.minnow.onnx.proto.OnnxProto.ValueInfoProto;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Runs ONNX backend node tests (onnx/backend/test/data/node/test_*: model.onnx plus
 * test_data_set_N/{input,output}_K.pb) through Minnow's reader, then through both the reference
 * interpreter ({@link GraphRunner}) and the {@link InferenceExecutor} that `eval` and `bench` use,
 * and compares each with the expected outputs using the ONNX backend tolerance (rtol 1e-3, atol
 * 1e-7, as onnx.backend.test.runner's assert_allclose). A test passes only when both agree with
 * the expected outputs. It is skipped when Minnow reports it does not support something (an op, an
 * element type, a non-tensor value) or when its expected output cannot be reproduced by any
 * implementation (random numbers); a folder without data sets is "no data", never passed. Tests in
 * {@link #KNOWN_FAILURES} still run and still count as failed; the report names them.
 * Integer inputs (axes, shapes, indices, split sizes) are bound as constants, because Minnow's
 * graphs need every shape-deciding value known when the graph is loaded; float inputs stay inputs.
 */
public final class Conformance {
    public static final double RTOL = 1e-3;
    public static final double ATOL = 1e-7;
    private static final long TIMEOUT_MILLIS = 10_000;

    /**
     * Test-name prefixes that fail for a reason outside Minnow, with the reason. They run and count
     * as failed like any other failure: this list only explains them.
     */
    public static final Map<String, String> KNOWN_FAILURES = Map.of(
            // checked with numpy: the exact float64 inverse DFT of the stored input is 0 where the stored
            // output holds 1.9e-7 (the output was made from the unrounded input), beyond atol 1e-7
            "test_dft_inverse", "inconsistent test data: the stored output is not the inverse DFT of the stored"
                    + " input within atol 1e-7 (it holds 1.9e-7 where the exact result is 0)");

    /** NO_DATA: the folder has a model but no test_data_set_N, so nothing was compared. */
    public enum Status { PASSED, FAILED, SKIPPED, NO_DATA }

    /**
     * One test. reference: the outcome through {@link GraphRunner}; executor: through
     * {@link InferenceExecutor}, null when it did not run (the model was skipped, had no data or
     * did not load). message: why it failed or was skipped (the executor's part prefixed
     * "inference executor: "). knownFailure: the reason from {@link #KNOWN_FAILURES}, else null.
     */
    public record TestResult(String name, Status reference, Status executor, List<String> ops, String message,
            String knownFailure) {
        /** A test result where only the reference runner ran. */
        public TestResult(String name, Status reference, List<String> ops, String message) {
            this(name, reference, null, ops, message, null);
        }

        /** FAILED when either runner failed; else the reference outcome. */
        public Status status() {
            return reference == Status.FAILED || executor == Status.FAILED ? Status.FAILED : reference;
        }
    }

    public record OpTotals(int passed, int failed, int skipped, int noData) {
        OpTotals add(Status s) {
            return new OpTotals(passed + (s == Status.PASSED ? 1 : 0), failed + (s == Status.FAILED ? 1 : 0),
                    skipped + (s == Status.SKIPPED ? 1 : 0), noData + (s == Status.NO_DATA ? 1 : 0));
        }
    }

    /**
     * The whole run; counts by {@link TestResult#status()}. knownFailures counts the failed tests
     * that are listed in {@link #KNOWN_FAILURES}; executorOnlyFailures the tests the reference
     * runner passed and the inference executor failed. {@link #toMap()} gives it as nested maps and
     * lists (strings, ints) in the JSON layout the CLI prints: passed, failed, skipped, no_data,
     * known_failures, executor_only_failures, ops {op: {passed, failed, skipped, no_data}}, tests.
     */
    public record Report(int passed, int failed, int skipped, int noData, int knownFailures, int executorOnlyFailures,
            Map<String, OpTotals> ops, List<TestResult> tests) {
        /** Totals and per-op counts from the results. */
        public static Report of(List<TestResult> results) {
            Map<String, OpTotals> ops = new TreeMap<>();
            int[] count = new int[Status.values().length];
            int known = 0;
            int executorOnly = 0;
            for (TestResult r : results) {
                Status s = r.status();
                count[s.ordinal()]++;
                known += s == Status.FAILED && r.knownFailure() != null ? 1 : 0;
                executorOnly += r.reference() == Status.PASSED && r.executor() == Status.FAILED ? 1 : 0;
                for (String op : r.ops()) {
                    ops.merge(op, new OpTotals(0, 0, 0, 0).add(s), (a, x) -> a.add(s));
                }
            }
            return new Report(count[0], count[1], count[2], count[3], known, executorOnly, ops, List.copyOf(results));
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("passed", passed);
            m.put("failed", failed);
            m.put("skipped", skipped);
            m.put("no_data", noData);
            m.put("known_failures", knownFailures);
            m.put("executor_only_failures", executorOnlyFailures);
            Map<String, Object> perOp = new LinkedHashMap<>();
            ops.forEach((op, t) -> {
                Map<String, Object> counts = new LinkedHashMap<>();
                counts.put("passed", t.passed());
                counts.put("failed", t.failed());
                counts.put("skipped", t.skipped());
                counts.put("no_data", t.noData());
                perOp.put(op, counts);
            });
            m.put("ops", perOp);
            List<Object> list = new ArrayList<>();
            for (TestResult r : tests) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("name", r.name());
                t.put("status", label(r.status()));
                t.put("reference", label(r.reference()));
                if (r.executor() != null) {
                    t.put("executor", label(r.executor()));
                }
                t.put("ops", r.ops());
                if (r.message() != null) {
                    t.put("message", r.message());
                }
                if (r.knownFailure() != null) {
                    t.put("known_failure", r.knownFailure());
                }
                list.add(t);
            }
            m.put("tests", list);
            return m;
        }

        public List<String> passedNames() {
            return tests.stream().filter(t -> t.status() == Status.PASSED).map(TestResult::name).toList();
        }
    }

    /** passed, failed, skipped, no_data. */
    public static String label(Status s) {
        return s.name().toLowerCase();
    }

    /** The reason a test of this name is expected to fail, else null. */
    public static String knownFailure(String name) {
        return KNOWN_FAILURES.entrySet().stream().filter(e -> name.startsWith(e.getKey())).map(Map.Entry::getValue)
                .findFirst().orElse(null);
    }

    private Conformance() {
    }

    /** Runs every test directory under {@code dir}. */
    public static Report run(Path dir) {
        return run(dir, name -> true);
    }

    /** Runs the test directories whose name passes {@code filter}. */
    public static Report run(Path dir, Predicate<String> filter) {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(dir)) {
            dirs = s.filter(p -> Files.isRegularFile(p.resolve("model.onnx")))
                    .filter(p -> filter.test(p.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new InvalidInputException("cannot list ONNX test folder " + dir + ": " + e.getMessage(), e);
        }
        if (dirs.isEmpty()) {
            throw new InvalidInputException(dir + " holds no ONNX tests (folders with model.onnx); point it at"
                    + " onnx/backend/test/data/node");
        }
        List<TestResult> results = new ArrayList<>();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "onnx-conformance");
            t.setDaemon(true);
            return t;
        });
        try {
            for (Path d : dirs) {
                results.add(runOne(d, pool));
            }
        } finally {
            pool.shutdownNow();
        }
        return Report.of(results);
    }

    private static TestResult runOne(Path dir, ExecutorService pool) {
        String name = dir.getFileName().toString();
        String known = knownFailure(name);
        ModelProto model;
        try {
            model = OnnxReader.parse(Files.readAllBytes(dir.resolve("model.onnx")), name);
        } catch (IOException | MinnowException e) {
            return new TestResult(name, Status.FAILED, null, List.of(), "cannot read model: " + e.getMessage(), known);
        }
        List<String> ops = opTypes(model);
        if (name.startsWith("test_training_dropout")) {
            return new TestResult(name, Status.SKIPPED, null, ops, "expected output depends on the random numbers of the"
                    + " reference implementation (dropout in training mode)", known);
        }
        String nonTensor = nonTensorValue(model.getGraph());
        if (nonTensor != null) {
            return new TestResult(name, Status.SKIPPED, null, ops, nonTensor, known);
        }
        Future<TestResult> f = pool.submit(() -> evaluate(dir, name, ops, model, known));
        try {
            return f.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return new TestResult(name, Status.FAILED, null, ops, "did not finish within " + TIMEOUT_MILLIS + " ms", known);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TestResult(name, Status.FAILED, null, ops, "interrupted", known);
        } catch (ExecutionException e) {
            return new TestResult(name, Status.FAILED, null, ops, "crashed: " + e.getCause(), known);
        }
    }

    private static TestResult evaluate(Path dir, String name, List<String> ops, ModelProto model, String known) {
        List<Path> sets;
        try (Stream<Path> s = Files.list(dir)) {
            sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set_")).sorted().toList();
        } catch (IOException e) {
            return new TestResult(name, Status.FAILED, null, ops, "cannot list test data: " + e.getMessage(), known);
        }
        try {
            if (sets.isEmpty()) {
                new OnnxReader(ReadOptions.defaults(), dir, "model.onnx").read(model);
                return new TestResult(name, Status.NO_DATA, null, ops, "no test_data_set_N folder: the model loads,"
                        + " but no output was compared", known);
            }
        } catch (UnsupportedOpException e) {
            return new TestResult(name, Status.SKIPPED, null, ops, firstLine(e.getMessage()), known);
        } catch (MinnowException e) {
            return new TestResult(name, Status.FAILED, null, ops, e.getClass().getSimpleName() + ": " + e.getMessage(), known);
        } catch (RuntimeException | StackOverflowError e) {
            return new TestResult(name, Status.FAILED, null, ops, "crashed: " + e, known);
        }
        Set<String> inits = new HashSet<>();
        model.getGraph().getInitializerList().forEach(t -> inits.add(t.getName()));
        List<String> inputNames = model.getGraph().getInputList().stream().map(ValueInfoProto::getName)
                .filter(n -> !inits.contains(n)).toList();
        List<String> outputNames = model.getGraph().getOutputList().stream().map(ValueInfoProto::getName).toList();
        String referenceFailure = null;
        String executorFailure = null;
        for (Path set : sets) {
            Graph g;
            Map<String, Tensor> inputs = new LinkedHashMap<>();
            Map<String, Tensor> expected = new LinkedHashMap<>();
            try {
                ModelProto.Builder bound = model.toBuilder();
                for (int i = 0; i < inputNames.size(); i++) {
                    Path p = set.resolve("input_" + i + ".pb");
                    if (Files.exists(p)) {
                        Tensor t = readTensor(p);
                        if (t.dtype() == DType.INT64 || t.dtype() == DType.INT32) {
                            bound.getGraphBuilder().addInitializer(TensorCodec.encode(inputNames.get(i), t));
                        } else {
                            inputs.put(inputNames.get(i), t);
                        }
                    }
                }
                for (int i = 0; i < outputNames.size(); i++) {
                    Path p = set.resolve("output_" + i + ".pb");
                    if (Files.exists(p)) {
                        expected.put(outputNames.get(i), readTensor(p));
                    }
                }
                g = new OnnxReader(ReadOptions.defaults(), dir, "model.onnx").read(bound.build());
            } catch (UnsupportedOpException e) {
                return new TestResult(name, Status.SKIPPED, null, ops, firstLine(e.getMessage()), known);
            } catch (MinnowException e) {
                return new TestResult(name, Status.FAILED, null, ops, e.getClass().getSimpleName() + ": " + e.getMessage(), known);
            } catch (IOException e) {
                return new TestResult(name, Status.FAILED, null, ops, "cannot read test data: " + e.getMessage(), known);
            } catch (RuntimeException | StackOverflowError e) {
                return new TestResult(name, Status.FAILED, null, ops, "crashed: " + e, known);
            }
            String setName = set.getFileName().toString();
            if (referenceFailure == null) {
                referenceFailure = check(setName, expected, () -> GraphRunner.run(g, inputs));
            }
            if (executorFailure == null) {
                // fresh copies: the executor may reuse buffers, and a caller's feeds must not be touched either way
                Map<String, Tensor> feeds = new LinkedHashMap<>();
                inputs.forEach((k, v) -> feeds.put(k, v.copy()));
                executorFailure = check(setName, expected, () -> InferenceExecutor.of(g).run(feeds));
            }
        }
        String message = referenceFailure;
        if (executorFailure != null) {
            message = (message == null ? "" : message + "; ") + "inference executor: " + executorFailure;
        }
        return new TestResult(name, referenceFailure == null ? Status.PASSED : Status.FAILED,
                executorFailure == null ? Status.PASSED : Status.FAILED, ops, message, known);
    }

    /** Runs one engine on one data set: null when every expected output matches, else why not. */
    private static String check(String set, Map<String, Tensor> expected,
            java.util.function.Supplier<Map<String, Tensor>> engine) {
        Map<String, Tensor> got;
        try {
            got = engine.get();
        } catch (MinnowException e) {
            return set + ": " + e.getClass().getSimpleName() + ": " + e.getMessage();
        } catch (RuntimeException | StackOverflowError e) {
            return set + ": crashed: " + e;
        }
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            String diff = compare(e.getValue(), got.get(e.getKey()));
            if (diff != null) {
                return set + " output '" + e.getKey() + "': " + diff;
            }
        }
        return null;
    }

    /** The cause lines of a message, without the long list of supported ops. */
    private static String firstLine(String s) {
        return String.join(" ", s.lines().map(String::trim)
                .filter(l -> !l.startsWith("Supported ops") && !l.startsWith("Replace these ops")).toList());
    }

    static Tensor readTensor(Path p) throws IOException {
        try {
            return TensorCodec.decode(TensorProto.parseFrom(Files.readAllBytes(p)), p.getParent());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new InvalidInputException(p + " is not a TensorProto: " + e.getMessage());
        }
    }

    /** Null when equal within tolerance, else a short description of the first difference. */
    static String compare(Tensor expected, Tensor actual) {
        if (actual == null) {
            return "no value produced";
        }
        if (expected.dtype() != actual.dtype()) {
            return "element type " + actual.dtype().label + ", expected " + expected.dtype().label;
        }
        if (!expected.shape().equals(actual.shape())) {
            return "shape " + actual.shape() + ", expected " + expected.shape();
        }
        int bad = 0;
        int first = -1;
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.getDouble(i);
            double a = actual.getDouble(i);
            boolean ok = e == a || (Double.isNaN(e) && Double.isNaN(a))
                    || (!Double.isInfinite(e) && Math.abs(a - e) <= ATOL + RTOL * Math.abs(e));
            if (!ok) {
                bad++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (bad == 0) {
            return null;
        }
        return bad + " of " + expected.size() + " values differ; first at flat index " + first + ": got "
                + actual.getDouble(first) + ", expected " + expected.getDouble(first);
    }

    /** Op types of the model (subgraphs included), sorted; Constant only when it is all there is. */
    static List<String> opTypes(ModelProto m) {
        Set<String> ops = new TreeSet<>();
        collectOps(m.getGraph(), ops);
        if (ops.size() > 1) {
            ops.remove("Constant");
        }
        return List.copyOf(ops);
    }

    private static void collectOps(GraphProto g, Set<String> ops) {
        for (NodeProto n : g.getNodeList()) {
            ops.add(n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx") ? n.getOpType() : n.getDomain() + "." + n.getOpType());
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    collectOps(a.getG(), ops);
                }
                a.getGraphsList().forEach(sub -> collectOps(sub, ops));
            }
        }
    }

    /** A reason to skip when a graph input or output is not a tensor, else null. */
    private static String nonTensorValue(GraphProto g) {
        for (List<ValueInfoProto> list : List.of(g.getInputList(), g.getOutputList())) {
            for (ValueInfoProto v : list) {
                TypeProto.ValueCase c = v.getType().getValueCase();
                if (c != TypeProto.ValueCase.TENSOR_TYPE) {
                    return "value '" + v.getName() + "' is a " + c.name().toLowerCase().replace('_', ' ')
                            + "; Minnow supports only tensors";
                }
            }
        }
        return null;
    }
}
