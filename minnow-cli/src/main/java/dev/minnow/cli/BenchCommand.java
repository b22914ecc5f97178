package dev.minnow.cli;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.kernels.Parallel;
import dev.minnow.onnx.Onnx;
import dev.minnow.onnx.backend.Backend;
import dev.minnow.onnx.backend.MinnowRunner;
import dev.minnow.onnx.backend.ModelRunner;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.Model;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.train.Loss;
import dev.minnow.train.LossValue;
import dev.minnow.train.Losses;
import dev.minnow.train.Optimizer;
import dev.minnow.train.Optimizers;
import dev.minnow.train.Targets;
import dev.minnow.train.TrainingExecutor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure inference latency of a model on random input (median of many runs).",
                "With --backend ort, ONNX Runtime runs the model instead of Minnow (latency_ms is its median). With --compare ort, ONNX Runtime runs the same model in the same process; the two are warmed up "
                        + "and then run alternately in blocks of about a second of runs each, so both see the same machine conditions."},
        footer = {"", "Examples:", "  minnow bench resnet18 --batch 1 --threads 2 --compare ort",
                "  minnow bench model.onnx --batch 16 --json", "  minnow bench q.onnx --backend ort --threads 1 --json",
                "  minnow bench --sparse-sweep --threads 1   (dense vs sparse kernels at 50-95%% sparsity, batch 1 and 64)"})
final class BenchCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "MODEL", arity = "0..1", description = "An .onnx or .mnz file or a zoo model name (random weights).")
    String model;

    @Option(names = "--sparse-sweep", description = "Instead of a model: dense vs sparse kernels on LeNet-300-100's 784x300 "
            + "layer and ResNet-20 3x3 convs pruned to 50/70/90/95%%, at batch 1 and 64, with the crossover sparsity "
            + "(--seconds scales the time per point).")
    boolean sparseSweep;

    @Option(names = "--sparse", paramLabel = "MODE", description = "Sparse kernels for layers with sparse constant "
            + "weights: auto (above the measured crossover; the default), on or off.")
    String sparse;

    @Option(names = "--batch", defaultValue = "1", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    BackendOptions backendOptions;

    @Option(names = "--compare", paramLabel = "PEER", description = "Also run a peer runtime: ort (ONNX Runtime).")
    String compare;

    @Option(names = "--seconds", defaultValue = "3", description = "Measuring time after warm-up (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--profile", description = "Also time every layer (a conv with its fused activation counts as one).")
    boolean profile;

    @Option(names = "--machine", paramLabel = "FILE.yaml", description = "With --profile: the machine description for"
            + " each layer's roofline bound (measured for about 2 s, and cached there, when the file does not exist).")
    java.nio.file.Path machine;

    @Option(names = "--train", description = "Measure training steps (forward, backward, SGD momentum update) "
            + "on random data and labels instead of inference; reports train_images_per_second.")
    boolean train;

    @Option(names = "--warmup", defaultValue = "5", description = "Least number of warm-up runs of each runtime (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--warmup-seconds", defaultValue = "3", description = "Least warm-up time of each runtime, in "
            + "seconds (default: ${DEFAULT-VALUE}). The JIT compiles Minnow's vector kernels during its first "
            + "runs; until then they run several times slower, so a warm-up of a few runs reports JIT time, not kernel time.")
    double warmupSeconds;

    @Override
    public Integer call() {
        common.apply();
        if (sparseSweep) {
            if (model != null || train || compare != null) {
                throw new InvalidInputException("--sparse-sweep runs its own layers; drop MODEL, --train and --compare");
            }
            StringBuilder human = new StringBuilder();
            Map<String, Object> j = SparseSweep.run(seconds, warmupSeconds, human);
            common.emit(j, human.toString());
            return 0;
        }
        if (model == null) {
            throw new InvalidInputException("bench needs a MODEL (an .onnx or .mnz file or a zoo name), or --sparse-sweep");
        }
        if (batch < 1) {
            throw new InvalidInputException("--batch must be at least 1, got " + batch);
        }
        if (compare != null && !compare.equals("ort")) {
            throw new InvalidInputException("unknown --compare '" + compare + "'; the only peer is ort (ONNX Runtime)");
        }
        Backend backend = backendOptions.backend();
        if (backend != Backend.MINNOW && (compare != null || train || profile)) {
            throw new InvalidInputException("--backend " + backend + " measures that executor alone; --compare, --train "
                    + "and --profile need --backend minnow (--compare ort already runs ONNX Runtime beside it)");
        }
        Graph g = Models.load(model, 1);
        Value in = g.inputs().getFirst();
        int[] dims = in.type().shape().dims();
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                if (i != 0) {
                    throw new InvalidInputException("input '" + in.name() + "' has an unknown dimension " + i
                            + " besides the batch; bench needs fixed input sizes");
                }
                dims[i] = batch;
            }
        }
        if (dims.length > 0 && in.type().shape().dim(0) >= 0 && dims[0] != batch) {
            throw new InvalidInputException("the model's input has a fixed batch of " + dims[0] + "; use --batch " + dims[0]);
        }
        Tensor x = Tensor.zeros(Shape.of(dims));
        SplittableRandom r = new SplittableRandom(7);
        float[] xs = x.floats();
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) r.nextGaussian();
        }
        if (train) {
            return trainBench(g, x);
        }
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        j.put("batch", batch);
        j.put("threads", Parallel.threads());
        j.put("backend", backend.label);
        if (compare == null) {
            try (ModelRunner runner = backendOptions.open(model, g, executionOptions())) {
                double[] t = timeRuns(() -> runner.predict(x), warmup, seconds);
                j.put("latency_ms", median(t));
                j.put("runs", t.length);
                String human = new Table("model", "backend", "batch", "threads", "median ms", "runs")
                        .row(model, backend.label, batch, Parallel.threads(), String.format("%.3f", median(t)), t.length).render();
                String layers = profile ? profile(((MinnowRunner) runner).executor(), x, j, rooflineOf(g)) : "";
                common.emit(j, human + layers);
            }
            return 0;
        }
        InferenceExecutor executor = InferenceExecutor.of(g, executionOptions());
        Model minnow = executor::run;
        try (OrtRunner ort = new OrtRunner(Onnx.toBytes(g), in.name(), Parallel.threads())) {
            long[] shape = Arrays.stream(dims).asLongStream().toArray();
            float[] ours = minnow.predict(x).floats();
            float[] theirs = ort.run(xs, shape);
            double maxDiff = 0;
            double maxRef = 0;
            for (int i = 0; i < Math.min(ours.length, theirs.length); i++) {
                maxDiff = Math.max(maxDiff, Math.abs(ours[i] - theirs[i]));
                maxRef = Math.max(maxRef, Math.abs(theirs[i]));
            }
            warm(() -> minnow.predict(x), warmup, warmupSeconds);
            warm(() -> ort.run(xs, shape), warmup, warmupSeconds);
            long w0 = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                minnow.predict(x);
                ort.run(xs, shape);
            }
            double pairMs = (System.nanoTime() - w0) / 1e6 / 3;
            // alternate blocks of about a second of runs, not single runs: after ONNX Runtime has run,
            // Minnow's next runs are slowed for tens of milliseconds (its pool threads keep spinning
            // and hold a core): alternating run by run, ResNet-18 measured 30.8 ms against 18.2 ms
            // alone, and blocks of ten MobileNetV2 runs still 8.7 against 4.6 ms. In blocks of a
            // second, the disturbed first runs of a block are few and the median skips them;
            // ONNX Runtime's own median is the same with any block size.
            int block = (int) Math.max(10, Math.min(500, BLOCK_MS / Math.max(1e-3, pairMs)));
            int n = 0;
            double[] a = new double[100_000];
            double[] b = new double[100_000];
            long end = System.nanoTime() + (long) (seconds * 2e9);
            while ((System.nanoTime() < end || n < 2 * block) && n + block <= a.length) {
                timeInto(() -> minnow.predict(x), a, n, block);
                timeInto(() -> ort.run(xs, shape), b, n, block);
                n += block;
            }
            double ma = median(Arrays.copyOf(a, n));
            double mb = median(Arrays.copyOf(b, n));
            j.put("minnow_ms", ma);
            j.put("ort_ms", mb);
            j.put("latency_ms", ma);
            j.put("ratio", ma / mb);
            j.put("runs", n);
            j.put("max_abs_diff", maxDiff);
            j.put("max_abs_output", maxRef);
            String human = new Table("model", "batch", "threads", "minnow ms", "ORT ms", "minnow/ORT", "runs", "max |diff|")
                    .row(model, batch, Parallel.threads(), String.format("%.3f", ma), String.format("%.3f", mb),
                            String.format("%.2f", ma / mb), n, String.format("%.2g", maxDiff)).render();
            common.emit(j, human + (profile ? profile(executor, x, j, rooflineOf(g)) : ""));
        }
        return 0;
    }

    /** Times each step over a second of runs; adds "layers" to the JSON and returns the table. */
    /** Layer costs by name and this machine's roofline, taken before the executor fuses the graph. */
    private record RooflineView(Map<String, dev.minnow.hw.LayerCost> layers, dev.minnow.hw.roofline.Roofline roofline) {
    }

    /** -Dminnow.* switches (docs/KERNELS.md), then --sparse. */
    private ExecutionOptions executionOptions() {
        ExecutionOptions o = ExecutionOptions.fromSystemProperties();
        return sparse == null ? o : o.toBuilder().sparse(dev.minnow.infer.SparseMode.parse(sparse)).build();
    }

    private RooflineView rooflineOf(Graph g) {
        if (!profile) {
            return null;
        }
        Map<String, dev.minnow.hw.LayerCost> byName = new java.util.HashMap<>();
        for (dev.minnow.hw.LayerCost l : dev.minnow.hw.CostReport.of(g).layers()) {
            byName.put(l.name(), l);
        }
        return new RooflineView(byName, dev.minnow.hw.roofline.Roofline.of(CpuCost.machine(machine), Parallel.threads() > 1));
    }

    private String profile(InferenceExecutor executor, Tensor x, Map<String, Object> j, RooflineView rv) {
        executor.startProfiling();
        long end = System.nanoTime() + 1_000_000_000L;
        int runs = 0;
        while (System.nanoTime() < end || runs < 3) {
            executor.run(x);
            runs++;
        }
        List<InferenceExecutor.StepTime> steps = executor.profile();
        double total = steps.stream().mapToDouble(InferenceExecutor.StepTime::nanosPerRun).sum();
        Table t = new Table("layer", "op", "MACs", "ms", "%", "GFLOPS", "roofline ms", "bound");
        List<Map<String, Object>> layers = new ArrayList<>();
        for (InferenceExecutor.StepTime s : steps) {
            double ms = s.nanosPerRun() / 1e6;
            double gflops = s.macs() * batch * 2 / Math.max(1, s.nanosPerRun());
            dev.minnow.hw.LayerCost lc = rv.layers().get(s.name());
            // weights are read once per run, activations once per image
            long bytes = lc == null ? 0 : lc.weightBytes() + lc.activationBytes() * batch;
            double roofMs = lc == null ? Double.NaN : rv.roofline().predictedSeconds(s.macs() * batch, bytes) * 1e3;
            String bound = lc == null ? "?" : rv.roofline().bound(2.0 * s.macs() * batch / Math.max(1, bytes))
                    .name().toLowerCase(java.util.Locale.ROOT);
            t.row(s.name(), s.opType(), Table.count(s.macs() * batch), String.format("%.3f", ms),
                    String.format("%.1f", 100 * s.nanosPerRun() / total), String.format("%.1f", gflops),
                    lc == null ? "-" : String.format("%.3f", roofMs), bound);
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("roofline_ms", lc == null ? null : roofMs);
            l.put("bound", lc == null ? null : bound);
            l.put("name", s.name());
            l.put("op", s.opType());
            l.put("macs", s.macs() * batch);
            l.put("ms", ms);
            layers.add(l);
        }
        j.put("layers", layers);
        return "\nPer layer (" + runs + " runs, batch " + batch + "; roofline ms: the least time on this machine's"
                + " roofline, '-' where a fused step has no layer of its name):\n" + t.render();
    }

    /** Training throughput on random inputs and labels: what PyTorch's bench/pytorch_lenet5_train.py measures. */
    private int trainBench(Graph g, Tensor x) {
        if (compare != null) {
            throw new InvalidInputException("--train compares with PyTorch through bench/pytorch_lenet5_train.py, not --compare");
        }
        TrainingExecutor ex = new TrainingExecutor(g);
        int classes = g.outputs().getFirst().type().shape().dim(-1);
        int[] labels = new int[batch];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < batch; i++) {
            labels[i] = r.nextInt(Math.max(1, classes));
        }
        Optimizer opt = Optimizers.momentum(0.01, 0.9, false);
        Loss loss = Losses.crossEntropy();
        Runnable step = () -> {
            Tensor out = ex.forward(x, true, 1);
            LossValue v = loss.compute(out, new Targets(labels, null));
            opt.step(ex.parameters(), ex.backward(v.gradient()), 0.01);
        };
        double[] t = timeRuns(step, warmup, seconds);
        double ms = median(t);
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        j.put("batch", batch);
        j.put("threads", Parallel.threads());
        j.put("step_ms", ms);
        j.put("train_images_per_second", batch * 1000.0 / ms);
        j.put("runs", t.length);
        common.emit(j, new Table("model", "batch", "threads", "median step ms", "train img/s", "runs")
                .row(model, batch, Parallel.threads(), String.format("%.3f", ms), String.format("%.0f", batch * 1000.0 / ms),
                        t.length).render());
        return 0;
    }

    /** Length of one runtime's block of runs in the comparison (see there), in milliseconds. */
    private static final double BLOCK_MS = 1000;

    /** Runs body at least runs times and for at least seconds. */
    private static void warm(Runnable body, int runs, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        for (int i = 0; i < runs || System.nanoTime() < end; i++) {
            body.run();
        }
    }

    private double[] timeRuns(Runnable body, int warmup, double seconds) {
        warm(body, warmup, warmupSeconds);
        double[] t = new double[100_000];
        int n = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while ((System.nanoTime() < end || n < 5) && n < t.length) {
            timeInto(body, t, n++, 1);
        }
        return Arrays.copyOf(t, n);
    }

    /** Times count runs of body into t[from ..] (milliseconds each). */
    private static void timeInto(Runnable body, double[] t, int from, int count) {
        for (int i = from; i < from + count; i++) {
            long t0 = System.nanoTime();
            body.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
