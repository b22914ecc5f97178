package dev.minnow.infer;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.graph.pass.GraphPass;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.graph.pass.Pipeline;
import dev.minnow.infer.kernels.Layouts;
import dev.minnow.infer.spi.Kernel;
import dev.minnow.infer.spi.KernelProvider;
import dev.minnow.infer.spi.KernelRequest;
import dev.minnow.infer.spi.Layout;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a graph for inference only. Built in four separate pieces: rewrite passes (BatchNormalization
 * folding, QDQ fusion, {@link ActivationFusion}), channel-last chains ({@link NhwcChains}), one
 * kernel per node chosen by {@link KernelProvider}s (a node none claims runs its op's forward), and
 * a {@link BufferPlan} that places kernel outputs by liveness once per input shape. Kernels,
 * constants and layouts are resolved when the executor is built; a run only looks up values. The
 * source graph is not changed: the executor works on a rewritten copy ({@link #graph()}). Not
 * thread-safe: one run at a time per executor (the kernels inside are parallel).
 */
public final class InferenceExecutor {
    /** QdqFusion through its static entry, as a pass. */
    private static final GraphPass QDQ_FUSION = new GraphPass() {
        @Override
        public String name() {
            return "qdq-fusion";
        }

        @Override
        public PassRecord apply(GraphEditor editor) {
            return PassRecord.of(name()).count("fused", QdqFusion.fuse(editor.graph())).build();
        }
    };

    private final Graph graph;
    private final ExecutionOptions options;
    private final Step[] steps;
    private final BufferPlan bufferPlan;
    private final String[][] deaths;
    private final List<PassRecord> passRecords;
    private final Map<List<Shape>, BufferPlan.Buffers> plans = new HashMap<>();
    private BufferPlan.Buffers lastPlan;
    /** Per-step wall time summed over runs while profiling (null when off). */
    private long[] stepNanos;
    private long profiledRuns;

    /**
     * One node with its kernel. reads/constants/writes are resolved at build time; in and out are
     * the argument arrays reused by every run; channelLast[o]: output o is stored NHWC.
     */
    private static final class Step {
        final Node node;
        final Kernel kernel;
        final String[] reads;
        final Tensor[] constants;
        final String[] writes;
        final boolean[] channelLast;
        final boolean anyChannelLast;
        final int inPlace;
        final Tensor[] in;
        final Tensor[] out;

        Step(Node node, Kernel kernel, Tensor[] constants, boolean[] channelLast, boolean anyChannelLast, int inPlace) {
            this.node = node;
            this.kernel = kernel;
            this.reads = node.inputs().toArray(String[]::new);
            this.constants = constants;
            this.writes = node.outputs().toArray(String[]::new);
            this.channelLast = channelLast;
            this.anyChannelLast = anyChannelLast;
            this.inPlace = inPlace;
            this.in = new Tensor[reads.length];
            this.out = new Tensor[writes.length];
        }
    }

    /** A node no provider claimed: its op's forward. */
    private record OpKernel(Node node, OpContext ctx) implements Kernel {
        @Override
        public void run(Tensor[] inputs, float[] buffer, Tensor[] outputs) {
            Tensor[] r = node.op().forward(ctx, inputs);
            System.arraycopy(r, 0, outputs, 0, Math.min(r.length, outputs.length));
        }
    }

    /** Time of one step (a node, fused ones included) per run, for `bench --profile`. */
    public record StepTime(String name, String opType, long macs, double nanosPerRun) {
    }

    /**
     * What the rewrite did and what the buffer plan of the last run holds; kernelOutputs counts the
     * outputs kernels plan (plannedBuffers distinct arrays hold them); nhwcConvs the channel-last steps.
     */
    public record Summary(int steps, int foldedBatchNorms, int fusedActivations, int plannedBuffers,
                          long plannedBytes, int kernelOutputs, int nhwcConvs) {
    }

    private InferenceExecutor(Graph graph, ExecutionOptions options, Step[] steps, BufferPlan bufferPlan,
                              List<PassRecord> passRecords) {
        this.graph = graph;
        this.options = options;
        this.steps = steps;
        this.bufferPlan = bufferPlan;
        this.deaths = bufferPlan.deaths();
        this.passRecords = List.copyOf(passRecords);
    }

    /** {@link #of(Graph, ExecutionOptions)} with the default options. */
    public static InferenceExecutor of(Graph source) {
        return of(source, ExecutionOptions.DEFAULT);
    }

    /**
     * Validates a copy of the graph; unless options turn rewriting off or observe values, folds
     * BatchNormalization, fuses QDQ convolutions ({@link QdqFusion}) and Conv/Add + activation
     * ({@link ActivationFusion}); marks channel-last chains; asks the providers for each node's kernel.
     */
    public static InferenceExecutor of(Graph source, ExecutionOptions options) {
        Graph g = source.copy().validate();
        List<PassRecord> records = List.of();
        if (options.rewrite() && options.observer() == null) {
            GraphEditor e = new GraphEditor(g);
            records = Pipeline.of(new BatchNormFolding(), QDQ_FUSION, new ActivationFusion()).applyAll(e);
            e.commit();
        }
        Set<String> nhwc = options.nhwcChains() ? NhwcChains.find(g) : Set.of();
        List<KernelProvider> providers = KernelProviders.ordered(options);
        GraphEditor e = new GraphEditor(g);
        List<Node> nodes = g.nodes();
        Step[] steps = new Step[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            List<TensorType> types = new ArrayList<>();
            List<Tensor> constants = new ArrayList<>();
            List<Layout> inLayouts = new ArrayList<>();
            for (String in : n.inputs()) {
                types.add(in.isEmpty() ? null : g.type(in));
                constants.add(in.isEmpty() || e.isGraphInput(in) ? null : g.initializers().get(in));
                inLayouts.add(nhwc.contains(in) ? Layout.NHWC : Layout.NCHW);
            }
            List<Boolean> used = new ArrayList<>();
            List<Layout> outLayouts = new ArrayList<>();
            boolean[] channelLast = new boolean[n.outputs().size()];
            for (int o = 0; o < n.outputs().size(); o++) {
                String out = n.output(o);
                used.add(!out.isEmpty() && (e.isGraphOutput(out) || !e.readers(out).isEmpty()));
                channelLast[o] = nhwc.contains(out);
                outLayouts.add(channelLast[o] ? Layout.NHWC : Layout.NCHW);
            }
            KernelRequest request = new KernelRequest(n, types, constants, used, inLayouts, outLayouts, options);
            Kernel kernel = null;
            for (int p = 0; p < providers.size() && kernel == null; p++) {
                kernel = providers.get(p).kernelFor(request);
            }
            if (kernel == null && request.channelLast()) {
                throw new IllegalStateException("no kernel provider runs node '" + n.name()
                        + "' channel-last; the built-in ConvKernels provider is missing from META-INF/services");
            }
            steps[i] = new Step(n, kernel != null ? kernel : new OpKernel(n, OpContext.inference()),
                    constants.toArray(Tensor[]::new), channelLast, request.channelLast(), -1);
        }
        List<BufferPlan.StepIo> io = new ArrayList<>();
        for (Step s : steps) {
            io.add(new BufferPlan.StepIo(s.node.inputs(), s.node.outputs(), s.node.opType(), s.kernel.plansOutput(),
                    s.kernel.overwritesInput(), s.kernel.freshOutputs()));
        }
        BufferPlan plan = new BufferPlan(io, Set.copyOf(g.outputs().stream().map(Value::name).toList()));
        for (int i = 0; i < steps.length; i++) {
            Step s = steps[i];
            steps[i] = new Step(s.node, s.kernel, s.constants, s.channelLast, s.anyChannelLast, plan.inPlace(i));
        }
        return new InferenceExecutor(g, options, steps, plan, records);
    }

    /** The rewritten graph the executor runs. */
    public Graph graph() {
        return graph;
    }

    public ExecutionOptions options() {
        return options;
    }

    /** The records of the rewrite passes, in order (empty when the graph runs as given). */
    public List<PassRecord> passRecords() {
        return passRecords;
    }

    /** The kernel running each node, in execution order (for tests and reports). */
    public List<Kernel> kernels() {
        return Arrays.stream(steps).map(s -> s.kernel).toList();
    }

    /** Whether node's kernel came from a provider (false: it runs its op's forward). */
    public boolean providedKernel(String nodeName) {
        for (Step s : steps) {
            if (s.node.name().equals(nodeName)) {
                return !(s.kernel instanceof OpKernel);
            }
        }
        throw new InvalidInputException("no node '" + nodeName + "' in the executor's graph");
    }

    /** Starts (or restarts) timing every step of every run. */
    public void startProfiling() {
        stepNanos = new long[steps.length];
        profiledRuns = 0;
    }

    /** Mean time per run of each step since {@link #startProfiling()}, in execution order. */
    public List<StepTime> profile() {
        if (stepNanos == null) {
            throw new IllegalStateException("profiling was not started");
        }
        List<StepTime> r = new ArrayList<>();
        for (int i = 0; i < steps.length; i++) {
            Node n = steps[i].node;
            r.add(new StepTime(n.name(), n.opType(), graph.nodeMacs(n), (double) stepNanos[i] / Math.max(1, profiledRuns)));
        }
        return r;
    }

    /** Single-input, single-output run (the image classifier case). */
    public Tensor run(Tensor input) {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new InvalidInputException("graph '" + graph.name() + "' has " + graph.inputs().size() + " inputs and "
                    + graph.outputs().size() + " outputs; run(Map) takes them by name");
        }
        return run(Map.of(graph.inputs().get(0).name(), input)).values().iterator().next();
    }

    /** Runs every step; feeds by graph input name; returns the graph outputs by name. */
    public Map<String, Tensor> run(Map<String, Tensor> feeds) {
        Map<String, Tensor> values = new HashMap<>();
        List<Shape> feedShapes = new ArrayList<>();
        for (Value in : graph.inputs()) {
            Tensor t = feeds.get(in.name());
            if (t == null) {
                throw new InvalidInputException("no value fed for graph input '" + in.name() + "'");
            }
            values.put(in.name(), t);
            feedShapes.add(t.shape());
        }
        BufferPlan.Buffers plan = plans.computeIfAbsent(List.copyOf(feedShapes), s -> bufferPlan.buffers(types(feeds)));
        lastPlan = plan;
        ValueObserver observer = options.observer();
        long[] timing = stepNanos;
        try {
            for (int i = 0; i < steps.length; i++) {
                long t0 = timing == null ? 0 : System.nanoTime();
                Step s = steps[i];
                Tensor[] in = s.in;
                for (int k = 0; k < in.length; k++) {
                    Tensor c = s.constants[k];
                    in[k] = c != null ? c : s.reads[k].isEmpty() ? null : values.get(s.reads[k]);
                }
                float[] buffer;
                if (s.inPlace >= 0) {
                    buffer = storageOf(in[s.inPlace], s.reads[s.inPlace], values);
                } else {
                    buffer = plan.buffers()[i];
                    if (buffer != null && referenced(buffer, values)) {
                        buffer = null; // aliasing the plan did not foresee: a live value still holds it
                    }
                }
                s.kernel.run(in, buffer, s.out);
                for (int o = 0; o < s.out.length; o++) {
                    if (s.out[o] != null && !s.writes[o].isEmpty()) {
                        values.put(s.writes[o], s.out[o]);
                    }
                }
                if (observer != null) {
                    observe(observer, s);
                }
                Arrays.fill(s.out, null);
                Arrays.fill(in, null);
                if (timing != null) {
                    timing[i] += System.nanoTime() - t0;
                }
                for (String dead : deaths[i]) {
                    values.remove(dead);
                }
            }
        } finally {
            for (Step s : steps) {
                Arrays.fill(s.in, null);
                Arrays.fill(s.out, null);
            }
        }
        if (timing != null) {
            profiledRuns++;
        }
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (Value v : graph.outputs()) {
            result.put(v.name(), values.containsKey(v.name()) ? values.get(v.name()) : graph.initializers().get(v.name()));
        }
        return result;
    }

    private static void observe(ValueObserver observer, Step s) {
        for (int o = 0; o < s.out.length; o++) {
            if (s.out[o] != null && !s.writes[o].isEmpty()) {
                observer.onValue(s.writes[o], s.node, s.channelLast[o] ? Layouts.toNchw(s.out[o]) : s.out[o]);
            }
        }
    }

    /** The float storage of input t, dying here, unless another live value shares it (a view). */
    private static float[] storageOf(Tensor t, String name, Map<String, Tensor> live) {
        if (t == null || t.dtype() != DType.FLOAT32) {
            return null;
        }
        float[] target = t.floats();
        for (Map.Entry<String, Tensor> e : live.entrySet()) {
            if (e.getValue().data() == target && !e.getKey().equals(name)) {
                return null;
            }
        }
        return target;
    }

    /** Whether a live value still holds buffer. */
    private static boolean referenced(float[] buffer, Map<String, Tensor> live) {
        for (Tensor t : live.values()) {
            if (t.data() == buffer) {
                return true;
            }
        }
        return false;
    }

    /** Every value's type for these feeds (shape inference on the executor's graph with their shapes). */
    private Map<String, TensorType> types(Map<String, Tensor> feeds) {
        List<Value> declared = List.copyOf(graph.inputs());
        List<Value> concrete = new ArrayList<>();
        for (Value v : declared) {
            Tensor t = feeds.get(v.name());
            concrete.add(new Value(v.name(), new TensorType(t.dtype(), t.shape())));
        }
        graph.setInputs(concrete);
        try {
            return new HashMap<>(graph.validate().types());
        } finally {
            graph.setInputs(declared);
            graph.validate();
        }
    }

    /** What the passes did, and the buffers of the last plan made (for reports and tests). */
    public Summary summary() {
        BufferPlan.Buffers p = lastPlan;
        int planned = 0;
        int nhwc = 0;
        for (Step s : steps) {
            planned += s.kernel.plansOutput() ? 1 : 0;
            nhwc += s.anyChannelLast ? 1 : 0;
        }
        return new Summary(steps.length, (int) count("bn-folding", "folded"), (int) count("activation-fusion", "fused"),
                p == null ? 0 : p.distinct(), p == null ? 0 : p.bytes(), planned, nhwc);
    }

    private long count(String pass, String what) {
        long c = 0;
        for (PassRecord r : passRecords) {
            if (r.pass().equals(pass)) {
                c += r.count(what);
            }
        }
        return c;
    }
}
