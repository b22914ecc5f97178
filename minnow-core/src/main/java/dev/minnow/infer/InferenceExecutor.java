package dev.minnow.infer;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.graph.ops.ConvOp;
import dev.minnow.graph.ops.MaxPoolOp;
import dev.minnow.kernels.Conv2d;
import dev.minnow.kernels.ConvGeometry;
import dev.minnow.kernels.Eltwise;
import dev.minnow.kernels.NhwcConv;
import dev.minnow.kernels.Pool;
import dev.minnow.kernels.PoolGeometry;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a graph for inference only: BatchNormalization folded into the preceding Conv, Conv
 * fused with a following Relu or Clip (ReLU6 and friends) into one step that clamps in place,
 * and Conv outputs written into buffers planned once per input shape by liveness (a buffer is
 * reused by a later Conv of the same size once every reader of its value has run). Other nodes
 * run their op's forward; values are dropped after their last reader. The source graph is not
 * changed: the executor works on a rewritten copy ({@link #graph()}). Not thread-safe: one run
 * at a time per executor (the kernels inside are parallel).
 */
public final class InferenceExecutor {
    /** Ops whose output may share storage with their first input: they extend its buffer's life. */
    private static final Set<String> VIEW_OPS = Set.of("Reshape", "Flatten", "Identity", "Squeeze", "Unsqueeze",
            "Dropout");

    private final Graph graph;
    private final List<Step> steps;
    private final int foldedBatchNorms;
    private final int fusedActivations;
    private final Map<String, Integer> lastUse = new HashMap<>();
    private final Set<String> outputNames;
    private final Map<List<Shape>, Plan> plans = new HashMap<>();
    /** Packed weights per Conv step (identity keys: steps are records of distinct nodes). */
    private final Map<ConvStep, Conv2d.PreparedWeights> prepared = new java.util.IdentityHashMap<>();
    /**
     * Per step: whether the Conv reads (nhwcIn) or writes (nhwcOut) its activation channel-last;
     * see {@link #nhwcChains}. Such values keep their logical NCHW shape in the Tensor.
     */
    private final boolean[] nhwcIn;
    private final boolean[] nhwcOut;
    /** NHWC-prepared weights per Conv step that reads or writes NHWC. */
    private final Map<ConvStep, NhwcConv.Prepared> preparedNhwc = new java.util.IdentityHashMap<>();
    /** Per-step wall time summed over runs while profiling (null when off). */
    private long[] stepNanos;
    private long profiledRuns;

    /** One unit of work: a node run by its op, or a Conv (optionally clamped) run by the kernel. */
    private sealed interface Step permits NodeStep, ConvStep, PoolStep, AddStep, ConcatStep {
        List<String> reads();

        List<String> writes();
    }

    /** A node run by its op; passThrough: an inference Dropout whose mask nobody reads, so y is x itself. */
    private record NodeStep(Node node, boolean passThrough) implements Step {
        public List<String> reads() {
            return node.inputs();
        }

        public List<String> writes() {
            return node.outputs();
        }
    }

    /** Conv node, then y = min(max(y, lo), hi) when clamp; writes output (the activation's when fused). */
    private record ConvStep(Node conv, boolean clamp, float lo, float hi, String output) implements Step {
        public List<String> reads() {
            return conv.inputs();
        }

        public List<String> writes() {
            return List.of(output);
        }
    }

    /** 2-D float MaxPool whose Indices output nobody reads: the kernel runs without argmax. */
    private record PoolStep(Node node) implements Step {
        public List<String> reads() {
            return node.inputs();
        }

        public List<String> writes() {
            return List.of(node.output(0));
        }
    }

    /**
     * Float Concat: copies its inputs into a planned buffer (SqueezeNet's fire modules concatenate
     * 1.5 MB per run; a fresh array each run cost page faults and garbage collections).
     */
    private record ConcatStep(Node node) implements Step {
        public List<String> reads() {
            return node.inputs();
        }

        public List<String> writes() {
            return List.of(node.output(0));
        }
    }

    /**
     * Float Add (b null: a lone Relu/Clip), optionally clamped by a following Relu or Clip, as one
     * vector loop when both inputs have the same shape. inPlace = index of an input whose storage
     * may take the result (its value dies here and is neither a graph input/output nor a weight), or -1.
     * Other shapes run the nodes' ops.
     */
    private record AddStep(Node add, Node act, boolean clamp, float lo, float hi, String output, int inPlace)
            implements Step {
        public List<String> reads() {
            return add.inputs();
        }

        public List<String> writes() {
            return List.of(output);
        }
    }

    /** Time of one step (a node, or a conv with its fused activation) per run, for `bench --profile`. */
    public record StepTime(String name, String opType, long macs, double nanosPerRun) {
    }

    /** Starts (or restarts) timing every step of every run. */
    public void startProfiling() {
        stepNanos = new long[steps.size()];
        profiledRuns = 0;
    }

    /** Mean time per run of each step since {@link #startProfiling()}, in execution order. */
    public List<StepTime> profile() {
        if (stepNanos == null) {
            throw new IllegalStateException("profiling was not started");
        }
        List<StepTime> r = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Node n = switch (steps.get(i)) {
                case NodeStep s -> s.node();
                case ConvStep s -> s.conv();
                case PoolStep s -> s.node();
                case ConcatStep s -> s.node();
                case AddStep s -> s.add();
            };
            String type = steps.get(i) instanceof ConvStep c && c.clamp() ? n.opType() + "+Clip"
                    : steps.get(i) instanceof AddStep a && a.act() != null && a.act() != a.add() ? n.opType() + "+Clip"
                    : n.opType();
            r.add(new StepTime(n.name(), type, graph.nodeMacs(n), (double) stepNanos[i] / Math.max(1, profiledRuns)));
        }
        return r;
    }

    /**
     * What the rewrite did and what the buffer plan of the last run holds; kernelOutputs counts the
     * Conv, MaxPool and Concat outputs the plan places (plannedBuffers distinct arrays hold them).
     */
    public record Summary(int steps, int foldedBatchNorms, int fusedActivations, int plannedBuffers,
                          long plannedBytes, int kernelOutputs, int nhwcConvs) {
    }

    private InferenceExecutor(Graph graph, List<Step> steps, int folded, int fused) {
        this.graph = graph;
        this.steps = steps;
        this.nhwcIn = new boolean[steps.size()];
        this.nhwcOut = new boolean[steps.size()];
        nhwcChains(graph, steps, nhwcIn, nhwcOut);
        this.foldedBatchNorms = folded;
        this.fusedActivations = fused;
        for (int i = 0; i < steps.size(); i++) {
            for (String in : steps.get(i).reads()) {
                if (!in.isEmpty()) {
                    lastUse.put(in, i);
                }
            }
        }
        this.outputNames = Set.copyOf(graph.outputs().stream().map(Value::name).toList());
    }

    /** Validates a copy of the graph, folds BatchNormalization, fuses QDQ convolutions ({@link QdqFusion}), fuses Conv + activation. */
    public static InferenceExecutor of(Graph source) {
        Graph g = source.copy().validate();
        int folded = BatchNormFolding.fold(g);
        QdqFusion.fuse(g);
        g.validate();
        List<Step> steps = new ArrayList<>();
        List<Node> nodes = g.nodes();
        Set<String> outputs = Set.copyOf(g.outputs().stream().map(Value::name).toList());
        boolean[] absorbed = new boolean[nodes.size()];
        int fused = 0;
        for (int i = 0; i < nodes.size(); i++) {
            if (absorbed[i]) {
                continue;
            }
            Node n = nodes.get(i);
            if (n.op() instanceof MaxPoolOp && isFloat(g, n.input(0)) && g.type(n.input(0)).shape().rank() == 4
                    && (n.outputs().size() < 2 || n.output(1).isEmpty()
                        || g.consumers(n.output(1)).isEmpty() && !outputs.contains(n.output(1)))) {
                steps.add(new PoolStep(n));
                continue;
            }
            if (n.opType().equals("Add") && n.inputs().size() == 2 && isFloat(g, n.input(0)) && isFloat(g, n.input(1))) {
                List<Node> readers = g.consumers(n.output(0));
                float[] bounds = readers.size() == 1 && !outputs.contains(n.output(0)) ? clampBounds(g, readers.get(0)) : null;
                Node act = bounds == null ? null : readers.get(0);
                if (act != null) {
                    absorbed[nodes.indexOf(act)] = true;
                    fused++;
                }
                steps.add(new AddStep(n, act, act != null, act != null ? bounds[0] : 0, act != null ? bounds[1] : 0,
                        act != null ? act.output(0) : n.output(0), -1));
                continue;
            }
            if (n.opType().equals("Concat") && !n.inputs().isEmpty() && n.inputs().stream().allMatch(v -> isFloat(g, v))) {
                steps.add(new ConcatStep(n));
                continue;
            }
            if (n.opType().equals("Relu") && isFloat(g, n.input(0))) {
                steps.add(new AddStep(n, n, true, 0f, Float.POSITIVE_INFINITY, n.output(0), -1));
                continue;
            }
            if (!(n.op() instanceof ConvOp) || !isFloat(g, n.input(0)) || g.type(n.input(0)).shape().rank() > 4) {
                // Dropout at inference is the identity (its op copies x and fills a mask): pass x
                // on unless the mask is read or training_mode is given (3rd input)
                boolean passThrough = n.opType().equals("Dropout") && n.inputs().size() < 3 && isFloat(g, n.input(0))
                        && (n.outputs().size() < 2 || n.output(1).isEmpty()
                            || g.consumers(n.output(1)).isEmpty() && !outputs.contains(n.output(1)));
                steps.add(new NodeStep(n, passThrough));
                continue;
            }
            List<Node> readers = g.consumers(n.output(0));
            float[] bounds = readers.size() == 1 && !outputs.contains(n.output(0)) ? clampBounds(g, readers.get(0)) : null;
            if (bounds != null) {
                absorbed[nodes.indexOf(readers.get(0))] = true;
                steps.add(new ConvStep(n, true, bounds[0], bounds[1], readers.get(0).output(0)));
                fused++;
            } else {
                steps.add(new ConvStep(n, false, 0, 0, n.output(0)));
            }
        }
        return new InferenceExecutor(g, withInPlace(g, steps), folded, fused);
    }

    /** Marks, for each AddStep, an input whose value dies at that step and may hold the result. */
    private static List<Step> withInPlace(Graph g, List<Step> steps) {
        Map<String, Integer> last = new HashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            for (String in : steps.get(i).reads()) {
                if (!in.isEmpty()) {
                    last.put(in, i);
                }
            }
        }
        // only storage the executor itself allocated (kernel steps) may be overwritten: an op's
        // forward may hand out a cached tensor (Constant) or a view of a graph input
        Set<String> owned = new java.util.HashSet<>();
        for (Step st : steps) {
            if (!(st instanceof NodeStep)) {
                owned.addAll(st.writes());
            }
        }
        g.outputs().forEach(v -> owned.remove(v.name()));
        List<Step> r = new ArrayList<>(steps);
        for (int i = 0; i < r.size(); i++) {
            if (!(r.get(i) instanceof AddStep a) || !owned.contains(a.output())) {
                continue;
            }
            for (int k = 0; k < a.reads().size(); k++) {
                String in = a.reads().get(k);
                if (owned.contains(in) && last.get(in) == i) {
                    r.set(i, new AddStep(a.add(), a.act(), a.clamp(), a.lo(), a.hi(), a.output(), k));
                    break;
                }
            }
        }
        return List.copyOf(r);
    }

    /** [lo, hi] when node is Relu or a Clip with constant bounds reading one input, else null. */
    private static float[] clampBounds(Graph g, Node node) {
        if (node.opType().equals("Relu")) {
            return new float[] {0f, Float.POSITIVE_INFINITY};
        }
        if (!node.opType().equals("Clip")) {
            return null;
        }
        float lo = (float) node.attributes().getFloat("min", Double.NEGATIVE_INFINITY);
        float hi = (float) node.attributes().getFloat("max", Double.POSITIVE_INFINITY);
        for (int k = 1; k <= 2; k++) {
            String name = node.input(k);
            if (name.isEmpty()) {
                continue;
            }
            Tensor t = g.initializers().get(name);
            if (t == null || t.size() != 1) {
                return null;
            }
            float v = (float) t.getDouble(0);
            if (k == 1) {
                lo = v;
            } else {
                hi = v;
            }
        }
        return lo <= hi ? new float[] {lo, hi} : null;
    }

    private static boolean isFloat(Graph g, String value) {
        TensorType t = g.type(value);
        return t != null && t.dtype() == DType.FLOAT32;
    }

    /** The rewritten graph the executor runs (BatchNormalization folded). */
    public Graph graph() {
        return graph;
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
        Plan plan = plans.computeIfAbsent(List.copyOf(feedShapes), s -> plan(feeds));
        OpContext ctx = OpContext.inference();
        long[] timing = stepNanos;
        for (int i = 0; i < steps.size(); i++) {
            long t0 = timing == null ? 0 : System.nanoTime();
            Step step = steps.get(i);
            Tensor[] inputs = new Tensor[step.reads().size()];
            for (int k = 0; k < inputs.length; k++) {
                String name = step.reads().get(k);
                inputs[k] = name.isEmpty() ? null
                        : values.containsKey(name) ? values.get(name) : graph.initializers().get(name);
            }
            switch (step) {
                case NodeStep s when s.passThrough() -> values.put(s.node().output(0), inputs[0]);
                case NodeStep s -> {
                    Tensor[] out = s.node().op().forward(ctx, inputs);
                    for (int o = 0; o < s.node().outputs().size() && o < out.length; o++) {
                        if (!s.node().output(o).isEmpty()) {
                            values.put(s.node().output(o), out[o]);
                        }
                    }
                }
                case ConvStep s -> values.put(s.output(), nhwcIn[i] || nhwcOut[i]
                        ? runNhwc(s, nhwcIn[i], nhwcOut[i], inputs, plan.buffers[i], values)
                        : runConv(s, inputs, plan.buffers[i], values));
                case PoolStep s -> {
                    MaxPoolOp op = (MaxPoolOp) s.node().op();
                    PoolGeometry pg = op.geometry(inputs[0].shape());
                    float[] planned = plan.buffers[i];
                    float[] y = planned != null && planned.length == pg.outputSize() && !referenced(planned, values)
                            ? planned : new float[pg.outputSize()];
                    Pool.maxForward(pg, inputs[0].floats(), y, null);
                    values.put(s.node().output(0), Tensor.wrap(DType.FLOAT32, op.outShape(inputs[0].shape()), y));
                }
                case AddStep s -> values.put(s.output(), runAdd(s, inputs, values));
                case ConcatStep s -> values.put(s.node().output(0), runConcat(s, inputs, plan.buffers[i], values));
            }
            if (timing != null) {
                timing[i] += System.nanoTime() - t0;
            }
            for (String in : step.reads()) {
                if (!in.isEmpty() && lastUse.get(in) == i && !outputNames.contains(in)) {
                    values.remove(in);
                }
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

    private Tensor runConv(ConvStep s, Tensor[] in, float[] planned, Map<String, Tensor> live) {
        Tensor x = in[0];
        Tensor w = in[1];
        ConvGeometry g = ((ConvOp) s.conv().op()).geometry(x.shape(), w.shape());
        float[] y = planned != null && planned.length == g.outputSize() && !referenced(planned, live)
                ? planned : new float[g.outputSize()];
        float[] wf = floats(w);
        Conv2d.PreparedWeights pw = prepared.get(s);
        if ((pw == null || pw.w() != wf) && graph.initializers().containsKey(s.conv().input(1))
                && Conv2d.algorithmFor(g) != Conv2d.Algorithm.DEPTHWISE) {
            pw = Conv2d.prepare(g, wf); // weights are constant: pack their GEMM panels once
            prepared.put(s, pw);
        }
        // a fused Relu/Clip is applied as the GEMM stores each output (no extra pass over y)
        Conv2d.forward(g, floats(x), wf, in.length > 2 && in[2] != null ? floats(in[2]) : null, y, pw,
                s.clamp() ? s.lo() : Float.NEGATIVE_INFINITY, s.clamp() ? s.hi() : Float.POSITIVE_INFINITY);
        Shape out = x.shape().rank() == 3 ? Shape.of(g.batch(), g.outChannels(), g.outW())
                : Shape.of(g.batch(), g.outChannels(), g.outH(), g.outW());
        return Tensor.wrap(DType.FLOAT32, out, y);
    }

    /**
     * A Conv step with channel-last input and/or output ({@link #nhwcChains}): the multiplier-1
     * depthwise kernel on NHWC, or a 1x1 convolution whose GEMM reads or writes the transposed
     * layout. The tensor keeps the logical NCHW shape; only Conv steps of the chain read it.
     */
    private Tensor runNhwc(ConvStep s, boolean in, boolean out, Tensor[] inputs, float[] planned,
                           Map<String, Tensor> live) {
        Tensor x = inputs[0];
        ConvGeometry g = ((ConvOp) s.conv().op()).geometry(x.shape(), inputs[1].shape());
        float[] y = planned != null && planned.length == g.outputSize() && !referenced(planned, live)
                ? planned : new float[g.outputSize()];
        float[] wf = floats(inputs[1]);
        NhwcConv.Prepared p = preparedNhwc.get(s);
        if (p == null || p.w() != wf) {
            p = NhwcConv.prepare(g, wf, in, out); // constant weights: repacked once
            preparedNhwc.put(s, p);
        }
        NhwcConv.forward(g, floats(x), in, p, inputs.length > 2 && inputs[2] != null ? floats(inputs[2]) : null,
                s.clamp(), s.lo(), s.hi(), y, out);
        return Tensor.wrap(DType.FLOAT32, Shape.of(g.batch(), g.outChannels(), g.outH(), g.outW()), y);
    }

    /**
     * Marks the chains 1x1 Conv -> depthwise Conv (multiplier 1) -> 1x1 Conv (MobileNet's
     * inverted residual blocks) to run channel-last between the two 1x1 convolutions: the first
     * writes NHWC (its GEMM computes Y^T), the depthwise step reads and writes NHWC, the last
     * reads NHWC (its GEMM reads X transposed). The first may also be a one-group conv that runs
     * through im2col (MobileNetV2's 3x3 stride-2 stem before the first block). A chain qualifies only when both intermediate
     * values have that one reader, are no graph output and have static 4-D shapes (batch aside),
     * so NHWC data never reaches another step or the caller.
     */
    private static void nhwcChains(Graph g, List<Step> steps, boolean[] in, boolean[] out) {
        if (!Boolean.parseBoolean(System.getProperty("minnow.nhwcChains", "true"))) {
            return; // -Dminnow.nhwcChains=false: everything NCHW (for comparisons)
        }
        Map<String, Integer> convWriting = new HashMap<>();
        Map<Node, Integer> convOf = new java.util.IdentityHashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) instanceof ConvStep c) {
                convWriting.put(c.output(), i);
                convOf.put(c.conv(), i);
            }
        }
        Set<String> outputs = Set.copyOf(g.outputs().stream().map(Value::name).toList());
        for (int d = 0; d < steps.size(); d++) {
            if (!(steps.get(d) instanceof ConvStep dw) || !fits(g, dw, Role.DEPTHWISE)) {
                continue;
            }
            Integer before = convWriting.get(dw.conv().input(0));
            List<Node> readers = g.consumers(dw.output());
            Integer after = readers.size() == 1 ? convOf.get(readers.get(0)) : null;
            if (before == null || after == null || !soleInput(g, dw.conv().input(0), dw.conv(), outputs)
                    || !soleInput(g, dw.output(), readers.get(0), outputs)
                    || !fits(g, (ConvStep) steps.get(before), Role.BEFORE) || !fits(g, (ConvStep) steps.get(after), Role.AFTER)) {
                continue;
            }
            out[before] = true;
            in[d] = true;
            out[d] = true;
            in[after] = true;
        }
    }

    /** Whether value is read only by reader, only as its data input, and is not a graph output. */
    private static boolean soleInput(Graph g, String value, Node reader, Set<String> outputs) {
        List<Node> readers = g.consumers(value);
        return !outputs.contains(value) && readers.size() == 1 && readers.get(0) == reader
                && reader.inputs().indexOf(value) == 0 && reader.inputs().lastIndexOf(value) == 0;
    }

    /** A Conv step's place in a channel-last chain. */
    private enum Role {
        /** Reads NCHW, writes NHWC: a 1x1 conv, or a one-group conv through im2col (MobileNetV2's stem). */
        BEFORE,
        /** Multiplier-1 depthwise conv, NHWC in and out. */
        DEPTHWISE,
        /** Reads NHWC, writes NCHW: a 1x1 conv. */
        AFTER
    }

    /** Whether a Conv step has static shapes that fit the NHWC kernel of its role. */
    private static boolean fits(Graph g, ConvStep s, Role role) {
        TensorType xt = g.type(s.conv().input(0));
        TensorType wt = g.type(s.conv().input(1));
        if (xt == null || wt == null || xt.shape().rank() != 4 || wt.shape().rank() != 4) {
            return false;
        }
        int[] x = xt.shape().dims();
        x[0] = 1;
        for (int v : x) {
            if (v < 1) {
                return false;
            }
        }
        for (int v : wt.shape().dims()) {
            if (v < 1) {
                return false;
            }
        }
        ConvGeometry geo = ((ConvOp) s.conv().op()).geometry(Shape.of(x), wt.shape());
        return switch (role) {
            case BEFORE -> NhwcConv.pointwiseFits(geo) || NhwcConv.loweredFits(geo);
            case DEPTHWISE -> NhwcConv.depthwiseFits(geo) && !NhwcConv.pointwiseFits(geo);
            case AFTER -> NhwcConv.pointwiseFits(geo);
        };
    }

    private Tensor runAdd(AddStep s, Tensor[] in, Map<String, Tensor> live) {
        Tensor a = in[0];
        Tensor b = s.act() == s.add() ? null : in[1];
        if (b != null && !a.shape().equals(b.shape())) {
            Tensor sum = s.add().op().forward(OpContext.inference(), in)[0];
            return s.clamp() ? s.act().op().forward(OpContext.inference(), new Tensor[] {sum})[0] : sum;
        }
        float[] target = null;
        if (s.inPlace() >= 0) {
            Tensor t = in[s.inPlace()];
            target = t.floats();
            for (Map.Entry<String, Tensor> e : live.entrySet()) {
                if (e.getValue().data() == target && !e.getKey().equals(s.reads().get(s.inPlace()))) {
                    target = null; // another live value shares this storage (a view): write elsewhere
                    break;
                }
            }
        }
        float[] y = target != null ? target : new float[a.floats().length];
        if (s.clamp()) {
            Eltwise.addClamp(a.floats(), b == null ? null : b.floats(), y, y.length, s.lo(), s.hi());
        } else {
            Eltwise.add(a.floats(), b.floats(), y, y.length);
        }
        return Tensor.wrap(DType.FLOAT32, a.shape(), y);
    }

    private static Tensor runConcat(ConcatStep s, Tensor[] in, float[] planned, Map<String, Tensor> live) {
        List<TensorType> types = new ArrayList<>();
        for (Tensor t : in) {
            types.add(new TensorType(t.dtype(), t.shape()));
        }
        Shape os = s.node().op().inferTypes(types, List.of()).get(0).shape();
        int rank = os.rank();
        long a = s.node().attributes().getInt("axis", 1);
        int ax = (int) (a < 0 ? a + rank : a);
        int[] d = os.dims();
        int outer = 1;
        for (int k = 0; k < ax; k++) {
            outer *= d[k];
        }
        int inner = 1;
        for (int k = ax + 1; k < rank; k++) {
            inner *= d[k];
        }
        int size = os.sizeInt();
        float[] y = planned != null && planned.length == size && !referenced(planned, live) ? planned : new float[size];
        int rowOut = d[ax] * inner;
        int offset = 0;
        for (Tensor t : in) {
            float[] x = floats(t);
            int row = t.shape().dim(ax) * inner;
            for (int o = 0; o < outer; o++) {
                System.arraycopy(x, o * row, y, o * rowOut + offset, row);
            }
            offset += row;
        }
        return Tensor.wrap(DType.FLOAT32, os, y);
    }

    /** Safety net for aliasing the plan did not foresee: a live value still holding the buffer. */
    private static boolean referenced(float[] buffer, Map<String, Tensor> live) {
        for (Tensor t : live.values()) {
            if (t.data() == buffer) {
                return true;
            }
        }
        return false;
    }

    private static float[] floats(Tensor t) {
        return t.dtype() == DType.FLOAT32 ? t.floats() : t.cast(DType.FLOAT32).floats();
    }

    /** Buffers of the last plan made, for reports and tests. */
    public Summary summary() {
        Plan p = plans.values().stream().reduce((a, b) -> b).orElse(null);
        int convs = (int) steps.stream().filter(s -> s instanceof ConvStep || s instanceof PoolStep || s instanceof ConcatStep).count();
        int nhwc = 0;
        for (int i = 0; i < steps.size(); i++) {
            nhwc += nhwcIn[i] || nhwcOut[i] ? 1 : 0;
        }
        return new Summary(steps.size(), foldedBatchNorms, fusedActivations, p == null ? 0 : p.distinct,
                p == null ? 0 : p.bytes, convs, nhwc);
    }


    /** Conv, pool and concat step output buffers for one set of input shapes; buffers[i] is null for other steps. */
    private static final class Plan {
        final float[][] buffers;
        final int distinct;
        final long bytes;

        Plan(float[][] buffers, int distinct, long bytes) {
            this.buffers = buffers;
            this.distinct = distinct;
            this.bytes = bytes;
        }
    }

    /**
     * Static shapes for these feeds (shape inference on the rewritten graph with the feeds'
     * shapes), then a greedy walk in step order: a Conv, MaxPool or Concat output takes a free buffer of its exact
     * size or a new one; a buffer is free again after the last reader of its value (and of any
     * view of it) has run. Graph outputs get no planned buffer (the caller keeps them).
     */
    private Plan plan(Map<String, Tensor> feeds) {
        List<Value> declared = List.copyOf(graph.inputs());
        List<Value> concrete = new ArrayList<>();
        for (Value v : declared) {
            Tensor t = feeds.get(v.name());
            concrete.add(new Value(v.name(), new TensorType(t.dtype(), t.shape())));
        }
        graph.setInputs(concrete);
        Map<String, TensorType> types;
        try {
            types = Map.copyOf(graph.validate().types());
        } finally {
            graph.setInputs(declared);
            graph.validate();
        }
        int[] end = new int[steps.size()];
        Map<String, Integer> producerStep = new HashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            end[i] = -1;
            for (String o : steps.get(i).writes()) {
                producerStep.put(o, i);
            }
        }
        // lifetime of each Conv output, extended through view ops that may share its storage
        Map<String, Integer> root = new HashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            Step st = steps.get(i);
            if (st instanceof ConvStep || st instanceof PoolStep || st instanceof ConcatStep) {
                root.put(st.writes().get(0), i);
            } else if (st instanceof AddStep a && a.inPlace() >= 0 && root.containsKey(a.reads().get(a.inPlace()))) {
                root.put(a.output(), root.get(a.reads().get(a.inPlace()))); // may be written into that buffer
            } else if (st instanceof NodeStep n && VIEW_OPS.contains(n.node().opType()) && root.containsKey(n.node().input(0))) {
                n.node().outputs().forEach(o -> root.put(o, root.get(n.node().input(0))));
            }
        }
        boolean[] pinned = new boolean[steps.size()];
        root.forEach((value, owner) -> {
            end[owner] = Math.max(end[owner], lastUse.getOrDefault(value, owner));
            if (outputNames.contains(value)) {
                pinned[owner] = true;
            }
        });
        float[][] buffers = new float[steps.size()][];
        Map<Integer, List<float[]>> free = new HashMap<>();
        List<Integer> active = new ArrayList<>();
        int distinct = 0;
        long bytes = 0;
        for (int i = 0; i < steps.size(); i++) {
            final int now = i;
            active.removeIf(owner -> {
                if (end[owner] < now) {
                    free.computeIfAbsent(buffers[owner].length, k -> new ArrayList<>()).add(buffers[owner]);
                    return true;
                }
                return false;
            });
            Step st = steps.get(i);
            if (!(st instanceof ConvStep || st instanceof PoolStep || st instanceof ConcatStep) || pinned[i]) {
                continue;
            }
            int size = types.get(st.writes().get(0)).shape().sizeInt();
            List<float[]> pool = free.get(size);
            if (pool != null && !pool.isEmpty()) {
                buffers[i] = pool.remove(pool.size() - 1);
            } else {
                buffers[i] = new float[size];
                distinct++;
                bytes += 4L * size;
            }
            active.add(i);
        }
        return new Plan(buffers, distinct, bytes);
    }
}
