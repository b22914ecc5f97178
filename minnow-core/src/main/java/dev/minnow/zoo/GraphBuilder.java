package dev.minnow.zoo;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Builds a {@link Graph} that reads like the network's diagram:
 *
 * <pre>{@code
 * var b = GraphBuilder.named("lenet5", seed);
 * Value x = b.input("input", Shape.of(-1, 1, 28, 28));
 * x = b.maxPool(b.conv(x, 20, 5), 2);
 * b.output("logits", b.dense(b.flatten(x), 10));
 * Graph g = b.build();
 * }</pre>
 *
 * Nodes are made through {@link OpRegistry#global()} with ONNX attribute names, and each
 * node's output type is inferred by its op as soon as it is added, so a wrong shape fails
 * at the line that builds it and {@link #dense} knows its fan-in. Names are readable and
 * unique: a node is named after its kind and a per-scope counter ("conv1", "bn2"), inside
 * the enclosing {@link #scope scopes} ("layer1.0.conv1"); its weights are "NODE.weight",
 * "NODE.bias", and for batch norm "NODE.scale", "NODE.bias", "NODE.mean", "NODE.var".
 * A node's output value carries the node's name.
 *
 * <p>Weights are drawn from one seeded generator in building order, so the same seed
 * gives the same weights: Kaiming (He) normal for conv and dense weights (std
 * sqrt(2 / fan-in), suited to ReLU), zeros for biases, batch norm scale 1, bias 0,
 * running mean 0 and running variance 1. {@link Init#FAN_IN_UNIFORM} instead draws weights
 * uniformly in +-1/sqrt(fan-in) (PyTorch's default for Conv2d and Linear), which trains
 * networks without normalization or activations between layers (the LeNets) more gently.
 */
public final class GraphBuilder {
    /** How conv and dense weights are initialized. */
    public enum Init {
        /** Normal with std sqrt(2 / fan-in) (He et al. 2015); for ReLU networks with batch norm. */
        HE_NORMAL,
        /** Uniform in +-1/sqrt(fan-in) (PyTorch's default); for shallow networks without normalization. */
        FAN_IN_UNIFORM
    }

    private final String graphName;
    private final long seed;
    private final SplittableRandom random;
    private final OpRegistry registry = OpRegistry.global();
    private final List<Value> inputs = new ArrayList<>();
    private final List<Value> outputs = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Tensor> initializers = new LinkedHashMap<>();
    private final Map<String, TensorType> types = new HashMap<>();
    private final Deque<String> scopes = new ArrayDeque<>();
    private final Map<String, Integer> counters = new HashMap<>();
    private Init init = Init.HE_NORMAL;

    private GraphBuilder(String graphName, long seed) {
        this.graphName = graphName;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    /** Sets how the weights of the layers added from now on are initialized. */
    public GraphBuilder init(Init policy) {
        this.init = policy;
        return this;
    }

    /** A builder whose weights are drawn with seed 0. */
    public static GraphBuilder named(String name) {
        return named(name, 0L);
    }

    /** A builder whose weights are drawn from this seed: same seed, same weights. */
    public static GraphBuilder named(String name, long seed) {
        return new GraphBuilder(name, seed);
    }

    /** A naming scope, closed with try-with-resources. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Opens a naming scope: nodes made until it is closed are named "NAME.kindN" (nested
     * scopes join with dots), with counters restarting in each scope.
     */
    public Scope scope(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new InvalidInputException("scope name must be non-empty and without dots, got '" + name + "'");
        }
        scopes.addLast(name);
        int depth = scopes.size();
        return () -> {
            if (scopes.size() != depth) {
                throw new IllegalStateException("scopes closed out of order");
            }
            scopes.removeLast();
        };
    }

    // ---------------------------------------------------------------- graph inputs and outputs

    /** A graph input of type float32 (NCHW images: batch -1). */
    public Value input(String name, Shape shape) {
        requireNewName(name);
        TensorType t = new TensorType(DType.FLOAT32, shape);
        Value v = new Value(name, t);
        inputs.add(v);
        types.put(name, t);
        return v;
    }

    /**
     * Makes {@code value} a graph output called {@code name}: the node that produces it is
     * rewired to write {@code name} instead (so there is no extra Identity node).
     */
    public Value output(String name, Value value) {
        requireKnown(value);
        if (!name.equals(value.name())) {
            requireNewName(name);
            int producer = producerIndex(value.name());
            if (producer < 0) {
                throw new InvalidInputException("output '" + name + "' must be computed by a node, but '" + value.name()
                        + "' is a graph input or a weight");
            }
            renameValue(value.name(), name);
        }
        Value v = new Value(name, value.type());
        outputs.add(v);
        return v;
    }

    /** The graph, validated (every value's type inferred again and checked). */
    public Graph build() {
        if (inputs.isEmpty() || outputs.isEmpty()) {
            throw new InvalidInputException("graph '" + graphName + "' needs at least one input and one output");
        }
        Graph g = new Graph(graphName);
        inputs.forEach(g::addInput);
        outputs.forEach(g::addOutput);
        nodes.forEach(g::addNode);
        initializers.forEach(g::addInitializer);
        g.metadata().put("minnow.builder", "dev.minnow.zoo.GraphBuilder");
        g.metadata().put("minnow.init_seed", Long.toString(seed));
        return g.validate();
    }

    // ---------------------------------------------------------------- layers with weights

    /** Convolution with a square kernel, stride 1, no padding, a bias. */
    public Value conv(Value x, int outChannels, int kernel) {
        return conv(x, outChannels, kernel, 1, 0, 1, true);
    }

    /** Convolution with a square kernel, symmetric padding and a bias. */
    public Value conv(Value x, int outChannels, int kernel, int stride, int pad) {
        return conv(x, outChannels, kernel, stride, pad, 1, true);
    }

    /**
     * Convolution (ONNX Conv) with a square kernel and symmetric padding; weight
     * [outChannels, inChannels / groups, kernel, kernel], Kaiming normal over its fan-in.
     * Without a bias when {@code bias} is false (as before batch norm).
     */
    public Value conv(Value x, int outChannels, int kernel, int stride, int pad, int groups, boolean bias) {
        TensorType t = requireKnown(x);
        requireRank(t, 4, "conv");
        int inChannels = t.shape().dim(1);
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0) {
            throw new ShapeException("conv: " + inChannels + " input and " + outChannels + " output channels cannot be split into "
                    + groups + " groups");
        }
        String name = nextName("conv");
        int fanIn = inChannels / groups * kernel * kernel;
        List<String> in = new ArrayList<>(List.of(x.name(),
                weight(name + ".weight", Shape.of(outChannels, inChannels / groups, kernel, kernel), fanIn)));
        if (bias) {
            in.add(constant(name + ".bias", Tensor.zeros(Shape.of(outChannels))));
        }
        Attributes a = Attributes.of("kernel_shape", new long[] {kernel, kernel}, "strides", new long[] {stride, stride},
                "pads", new long[] {pad, pad, pad, pad}, "dilations", new long[] {1, 1}, "group", (long) groups);
        return apply(name, "Conv", a, in);
    }

    /** Fully connected layer (ONNX Gemm, transB=1): weight [out, in], bias [out]. Input must be [N, in]. */
    public Value dense(Value x, int outFeatures) {
        return dense(x, outFeatures, true);
    }

    public Value dense(Value x, int outFeatures, boolean bias) {
        TensorType t = requireKnown(x);
        requireRank(t, 2, "dense (flatten first)");
        int inFeatures = t.shape().dim(1);
        if (inFeatures < 1) {
            throw new ShapeException("dense: the input's feature dimension is unknown (" + t.shape() + ")");
        }
        String name = nextName("fc");
        List<String> in = new ArrayList<>(List.of(x.name(), weight(name + ".weight", Shape.of(outFeatures, inFeatures), inFeatures)));
        if (bias) {
            in.add(constant(name + ".bias", Tensor.zeros(Shape.of(outFeatures))));
        }
        return apply(name, "Gemm", Attributes.of("transB", 1L, "alpha", 1.0, "beta", 1.0), in);
    }

    /** Batch normalization over channel axis 1, epsilon 1e-5 and momentum 0.9 (PyTorch's 0.1). */
    public Value batchNorm(Value x) {
        return batchNorm(x, 1e-5);
    }

    public Value batchNorm(Value x, double epsilon) {
        TensorType t = requireKnown(x);
        if (t.shape().rank() < 2) {
            throw new ShapeException("batchNorm needs an input of rank >= 2 (channels on axis 1), got " + t.shape());
        }
        int c = t.shape().dim(1);
        String name = nextName("bn");
        Shape s = Shape.of(c);
        List<String> in = List.of(x.name(), constant(name + ".scale", filled(s, 1f)),
                constant(name + ".bias", Tensor.zeros(s)), constant(name + ".mean", Tensor.zeros(s)),
                constant(name + ".var", filled(s, 1f)));
        return apply(name, "BatchNormalization", Attributes.of("epsilon", epsilon, "momentum", 0.9), in);
    }

    // ---------------------------------------------------------------- activations and pooling

    public Value relu(Value x) {
        return apply(nextName("relu"), "Relu", new Attributes(), List.of(requireName(x)));
    }

    /** min(max(x, 0), 6) as ONNX Clip with its bounds as shared scalar initializers. */
    public Value relu6(Value x) {
        String lo = sharedScalar("relu6.min", 0f);
        String hi = sharedScalar("relu6.max", 6f);
        return apply(nextName("relu6"), "Clip", new Attributes(), List.of(requireName(x), lo, hi));
    }

    /** Max pooling with a square window, stride = window, no padding. */
    public Value maxPool(Value x, int kernel) {
        return maxPool(x, kernel, kernel, 0, false);
    }

    /** Max pooling; {@code ceilMode} rounds the output size up, as Caffe-born nets do. */
    public Value maxPool(Value x, int kernel, int stride, int pad, boolean ceilMode) {
        return apply(nextName("maxpool"), "MaxPool", window(kernel, stride, pad).set("ceil_mode", ceilMode ? 1L : 0L),
                List.of(requireName(x)));
    }

    /** Average pooling with a square window, stride = window, no padding. */
    public Value avgPool(Value x, int kernel) {
        return avgPool(x, kernel, kernel, 0);
    }

    /** Average pooling; padded cells are not counted (ONNX count_include_pad=0). */
    public Value avgPool(Value x, int kernel, int stride, int pad) {
        return apply(nextName("avgpool"), "AveragePool", window(kernel, stride, pad).set("count_include_pad", 0L),
                List.of(requireName(x)));
    }

    public Value globalAvgPool(Value x) {
        return apply(nextName("gap"), "GlobalAveragePool", new Attributes(), List.of(requireName(x)));
    }

    /** Lp pooling (ONNX LpPool, order p) with a square window, stride = window. */
    public Value lpPool(Value x, int kernel, int p) {
        return apply(nextName("lppool"), "LpPool", window(kernel, kernel, 0).set("p", (long) p), List.of(requireName(x)));
    }

    private static Attributes window(int kernel, int stride, int pad) {
        return Attributes.of("kernel_shape", new long[] {kernel, kernel}, "strides", new long[] {stride, stride},
                "pads", new long[] {pad, pad, pad, pad});
    }

    // ---------------------------------------------------------------- structure

    /** [N, C, H, W] to [N, C*H*W] (ONNX Flatten, axis 1). */
    public Value flatten(Value x) {
        return apply(nextName("flatten"), "Flatten", Attributes.of("axis", 1L), List.of(requireName(x)));
    }

    public Value add(Value a, Value b) {
        return apply(nextName("add"), "Add", new Attributes(), List.of(requireName(a), requireName(b)));
    }

    /** Concatenation along the channel axis (1). */
    public Value concat(Value... values) {
        return concat(1, values);
    }

    public Value concat(int axis, Value... values) {
        List<String> in = new ArrayList<>();
        for (Value v : values) {
            in.add(requireName(v));
        }
        return apply(nextName("concat"), "Concat", Attributes.of("axis", (long) axis), in);
    }

    /** Dropout (identity at inference) with the drop ratio as a shared scalar initializer. */
    public Value dropout(Value x, double ratio) {
        if (!(ratio >= 0 && ratio < 1)) {
            throw new InvalidInputException("dropout ratio must be in [0, 1), got " + ratio);
        }
        String r = sharedScalar("dropout.ratio" + ratio, (float) ratio);
        return apply(nextName("dropout"), "Dropout", new Attributes(), List.of(requireName(x), r));
    }

    /** Softmax over the last axis. */
    public Value softmax(Value x) {
        return apply(nextName("softmax"), "Softmax", Attributes.of("axis", -1L), List.of(requireName(x)));
    }

    /** The inferred type of a value made by this builder. */
    public TensorType type(Value v) {
        return requireKnown(v);
    }

    // ---------------------------------------------------------------- plumbing

    /** Creates the op, infers its output type from the known input types and weights, adds the node. */
    private Value apply(String name, String opType, Attributes attrs, List<String> in) {
        Op op = registry.create(opType, attrs);
        List<TensorType> inTypes = new ArrayList<>();
        List<Tensor> consts = new ArrayList<>();
        for (String s : in) {
            inTypes.add(types.get(s));
            consts.add(initializers.get(s));
        }
        List<TensorType> out;
        try {
            out = op.inferTypes(inTypes, consts);
        } catch (ShapeException e) {
            throw new ShapeException("node '" + name + "' (" + opType + "): " + e.getMessage());
        }
        nodes.add(new Node(name, op, in, List.of(name)));
        types.put(name, out.get(0));
        return new Value(name, out.get(0));
    }

    private String nextName(String kind) {
        String prefix = scopes.isEmpty() ? "" : String.join(".", scopes) + ".";
        String name;
        do {
            int n = counters.merge(prefix + kind, 1, Integer::sum);
            name = prefix + kind + n;
        } while (types.containsKey(name) || initializers.containsKey(name));
        return name;
    }

    private String weight(String name, Shape shape, int fanIn) {
        float[] w = new float[shape.sizeInt()];
        if (init == Init.FAN_IN_UNIFORM) {
            double bound = 1 / Math.sqrt(fanIn);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
            }
        } else {
            float std = (float) Math.sqrt(2.0 / fanIn);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) random.nextGaussian() * std;
            }
        }
        return constant(name, Tensor.of(shape, w));
    }

    private String constant(String name, Tensor t) {
        requireNewName(name);
        initializers.put(name, t);
        types.put(name, new TensorType(t.dtype(), t.shape()));
        return name;
    }

    /** A rank-0 float initializer used by many nodes (op settings such as Clip bounds), made once. */
    private String sharedScalar(String name, float v) {
        if (!initializers.containsKey(name)) {
            constant(name, Tensor.scalar(v));
        }
        return name;
    }

    private static Tensor filled(Shape s, float v) {
        float[] a = new float[s.sizeInt()];
        java.util.Arrays.fill(a, v);
        return Tensor.of(s, a);
    }

    private TensorType requireKnown(Value v) {
        TensorType t = types.get(v.name());
        if (t == null) {
            throw new InvalidInputException("value '" + v.name() + "' was not made by this builder (graph '" + graphName + "')");
        }
        return t;
    }

    private String requireName(Value v) {
        requireKnown(v);
        return v.name();
    }

    private static void requireRank(TensorType t, int rank, String what) {
        if (t.shape().rank() != rank) {
            throw new ShapeException(what + " needs a rank-" + rank + " input, got " + t.shape());
        }
    }

    private void requireNewName(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidInputException("value names must not be empty");
        }
        if (types.containsKey(name)) {
            throw new InvalidInputException("name '" + name + "' is already used in graph '" + graphName + "'");
        }
    }

    private int producerIndex(String value) {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            if (nodes.get(i).outputs().contains(value)) {
                return i;
            }
        }
        return -1;
    }

    private void renameValue(String from, String to) {
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            List<String> in = new ArrayList<>(n.inputs());
            List<String> out = new ArrayList<>(n.outputs());
            in.replaceAll(s -> s.equals(from) ? to : s);
            out.replaceAll(s -> s.equals(from) ? to : s);
            if (!in.equals(n.inputs()) || !out.equals(n.outputs())) {
                nodes.set(i, new Node(n.name(), n.domain(), n.op(), in, out));
            }
        }
        types.put(to, types.remove(from));
    }
}
