package dev.minnow.train;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.ParameterRoles;
import dev.minnow.graph.Value;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Runs a graph forward and, in training mode, backward (reverse-mode autograd over the
 * nodes). Training forward keeps every activation and each node's {@link OpContext} for the
 * following {@link #backward}; inference forward frees each activation once its last reader
 * has run. Parameters are by default the graph's weights ({@link ParameterRoles#weights}), or
 * the set given; the executor never copies them, so an optimizer that updates the returned
 * tensors in place trains the graph itself. Taps: {@link #forward(Map, boolean, long, Set)}
 * also returns named intermediate values, and {@link #backward(Map)} accepts gradients for
 * any computed value, not only graph outputs (hint losses, reconstruction objectives).
 *
 * <p>Not thread-safe: one executor per thread (ops may still parallelize inside).
 */
public final class TrainingExecutor implements Model {
    private final Graph graph;
    private final List<Node> nodes;
    private final Set<String> parameters;
    /** Values whose gradient is needed: parameters and everything computed from them. */
    private final Set<String> needsGradient = new HashSet<>();
    /** Index of the last node that reads a value; graph outputs are never freed. */
    private final Map<String, Integer> lastUse = new HashMap<>();
    private final Set<String> outputNames = new HashSet<>();

    private Map<String, Tensor> tape;
    private OpContext[] contexts;

    /** Validates the graph (infers types, sorts nodes); the parameters are its weights. */
    public TrainingExecutor(Graph graph) {
        this(graph, ParameterRoles.weights(graph.validate()));
    }

    /**
     * Validates the graph and trains exactly the given float32 initializers (an empty set: a
     * frozen model, e.g. a teacher). Only values computed from these receive gradients.
     */
    public TrainingExecutor(Graph graph, Set<String> parameters) {
        this.graph = graph.validate();
        this.nodes = List.copyOf(graph.nodes());
        Set<String> ordered = new LinkedHashSet<>();
        for (Map.Entry<String, Tensor> e : graph.initializers().entrySet()) {
            if (parameters.contains(e.getKey())) {
                if (e.getValue().dtype() != DType.FLOAT32) {
                    throw new InvalidInputException("parameter '" + e.getKey() + "' is " + e.getValue().dtype().label
                            + "; only float32 initializers can train");
                }
                ordered.add(e.getKey());
            }
        }
        for (String p : parameters) {
            if (!ordered.contains(p)) {
                throw new InvalidInputException("no float32 initializer named '" + p + "' in graph '" + graph.name()
                        + "' to train");
            }
        }
        this.parameters = java.util.Collections.unmodifiableSet(ordered);
        needsGradient.addAll(parameters);
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            boolean dependsOnParameter = false;
            for (String in : n.inputs()) {
                if (!in.isEmpty()) {
                    lastUse.put(in, i);
                    dependsOnParameter |= needsGradient.contains(in);
                }
            }
            if (dependsOnParameter) {
                n.outputs().stream().filter(o -> !o.isEmpty()).forEach(needsGradient::add);
            }
        }
        graph.outputs().forEach(v -> outputNames.add(v.name()));
    }

    public Graph graph() {
        return graph;
    }

    /** The trainable parameters by name, in initializer order (live tensors of the graph). */
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> r = new LinkedHashMap<>();
        parameters.forEach(p -> r.put(p, graph.initializers().get(p)));
        return r;
    }

    /** Names of the trainable parameters. */
    public Set<String> parameterNames() {
        return parameters;
    }

    /**
     * Runs every node in order. Feeds are keyed by graph input name. In training mode each
     * node gets a context seeded from {@code seed} and its index, and activations are kept
     * for {@link #backward}. Returns the graph outputs by name.
     */
    public Map<String, Tensor> forward(Map<String, Tensor> feeds, boolean training, long seed) {
        return forward(feeds, training, seed, Set.of());
    }

    /**
     * As {@link #forward(Map, boolean, long)}, and also returns the named values in
     * {@code taps} (intermediate activations, graph inputs or initializers) after the outputs.
     * A tapped value is the tensor the executor computed, kept alive in inference mode too.
     */
    public Map<String, Tensor> forward(Map<String, Tensor> feeds, boolean training, long seed, Set<String> taps) {
        for (String t : taps) {
            if (!graph.initializers().containsKey(t) && graph.type(t) == null) {
                throw new InvalidInputException("cannot tap '" + t + "': graph '" + graph.name() + "' has no value of that name");
            }
        }
        Map<String, Tensor> values = new HashMap<>();
        for (Value in : graph.inputs()) {
            if (graph.initializers().containsKey(in.name())) {
                continue;
            }
            Tensor t = feeds.get(in.name());
            if (t == null) {
                throw new InvalidInputException("no value fed for graph input '" + in.name() + "'");
            }
            values.put(in.name(), t);
        }
        OpContext[] ctx = new OpContext[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            Tensor[] inputs = inputsOf(n, values);
            ctx[i] = training ? new OpContext(true, new SplittableRandom(Seeds.mix(seed, i, 0))) : OpContext.inference();
            Tensor[] outputs = n.op().forward(ctx[i], inputs);
            ctx[i].stateUpdates().forEach(u -> u.writeInto(inputs[u.input()]));
            for (int o = 0; o < n.outputs().size(); o++) {
                String name = n.outputs().get(o);
                if (!name.isEmpty() && o < outputs.length) {
                    values.put(name, outputs[o]);
                }
            }
            if (!training) {
                freeDead(n, i, values, taps);
            }
        }
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (Value v : graph.outputs()) {
            Tensor t = values.get(v.name());
            result.put(v.name(), t != null ? t : graph.initializers().get(v.name()));
        }
        for (String name : taps) {
            Tensor t = values.get(name);
            result.putIfAbsent(name, t != null ? t : graph.initializers().get(name));
        }
        tape = training ? values : null;
        contexts = training ? ctx : null;
        return result;
    }

    /** Single-input, single-output forward (the image classifier case). */
    public Tensor forward(Tensor input, boolean training, long seed) {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new InvalidInputException("graph '" + graph.name() + "' has " + graph.inputs().size() + " inputs and "
                    + graph.outputs().size() + " outputs; a classifier needs exactly one of each");
        }
        return forward(Map.of(graph.inputs().get(0).name(), input), training, seed).values().iterator().next();
    }

    /** Inference: no activations kept. */
    @Override
    public Tensor predict(Tensor batch) {
        return forward(batch, false, 0);
    }

    /** Backward for the single-output case. */
    public Map<String, Tensor> backward(Tensor outputGradient) {
        return backward(Map.of(graph.outputs().get(0).name(), outputGradient));
    }

    /**
     * Reverse pass after a training {@link #forward}: given d loss / d value for some graph
     * outputs or intermediate values, returns d loss / d parameter for every parameter those
     * values depend on (LinkedHashMap in graph initializer order). Gradients of values read by
     * several nodes are summed. The kept activations are released. Each returned tensor has its
     * own storage, so the caller (a gradient hook, a regularizer) may write into it.
     */
    public Map<String, Tensor> backward(Map<String, Tensor> outputGradients) {
        if (tape == null) {
            throw new IllegalStateException("backward needs a training forward pass first (each forward allows one backward)");
        }
        for (String k : outputGradients.keySet()) {
            if (!tape.containsKey(k) && !graph.initializers().containsKey(k)) {
                throw new InvalidInputException("gradient given for '" + k + "', which the forward pass did not compute");
            }
        }
        Map<String, Tensor> grads = new HashMap<>();
        outputGradients.forEach((k, v) -> accumulate(grads, k, v));
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            Tensor[] gradOut = new Tensor[n.outputs().size()];
            boolean any = false;
            for (int o = 0; o < gradOut.length; o++) {
                gradOut[o] = grads.remove(n.outputs().get(o));
                any |= gradOut[o] != null;
            }
            if (!any || n.inputs().stream().noneMatch(needsGradient::contains)) {
                continue;
            }
            Tensor[] inputs = inputsOf(n, tape);
            Tensor[] outputs = new Tensor[n.outputs().size()];
            for (int o = 0; o < outputs.length; o++) {
                outputs[o] = tape.get(n.outputs().get(o));
            }
            Tensor[] gradIn = n.op().backward(contexts[i], inputs, outputs, gradOut);
            for (int k = 0; k < n.inputs().size() && k < gradIn.length; k++) {
                String in = n.inputs().get(k);
                if (gradIn[k] == null || !needsGradient.contains(in)) {
                    continue;
                }
                if (gradIn[k].size() != inputs[k].size()) {
                    throw new ShapeException("node '" + n.name() + "' (" + n.opType() + ") returned a gradient of shape "
                            + gradIn[k].shape() + " for input '" + in + "' of shape " + inputs[k].shape());
                }
                accumulate(grads, in, gradIn[k]);
            }
        }
        tape = null;
        contexts = null;
        Map<String, Tensor> result = new LinkedHashMap<>();
        Set<Object> storage = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        parameters.forEach(p -> storage.add(graph.initializers().get(p).data()));
        for (String p : parameters) {
            Tensor g = grads.get(p);
            if (g != null) {
                // an op may hand the same buffer to two inputs (Add): give each parameter its own
                result.put(p, (storage.add(g.data()) ? g : g.copy()).reshape(graph.initializers().get(p).shape()));
            }
        }
        return result;
    }

    /** Sums into the map without writing into a tensor an op handed out (it may alias an activation). */
    private static void accumulate(Map<String, Tensor> grads, String name, Tensor g) {
        Tensor prev = grads.get(name);
        if (prev == null) {
            grads.put(name, g);
            return;
        }
        if (prev.dtype() != DType.FLOAT32 || g.dtype() != DType.FLOAT32) {
            throw new ShapeException("gradient of '" + name + "' is not float32");
        }
        float[] a = prev.floats();
        float[] b = g.floats();
        float[] sum = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            sum[i] = a[i] + b[i];
        }
        grads.put(name, Tensor.of(prev.shape(), sum));
    }

    private Tensor[] inputsOf(Node n, Map<String, Tensor> values) {
        Tensor[] inputs = new Tensor[n.inputs().size()];
        for (int k = 0; k < inputs.length; k++) {
            String in = n.inputs().get(k);
            if (in.isEmpty()) {
                continue;
            }
            Tensor t = values.get(in);
            inputs[k] = t != null ? t : graph.initializers().get(in);
        }
        return inputs;
    }

    private void freeDead(Node n, int index, Map<String, Tensor> values, Set<String> taps) {
        for (String in : n.inputs()) {
            if (!in.isEmpty() && lastUse.get(in) == index && !outputNames.contains(in) && !taps.contains(in)) {
                values.remove(in);
            }
        }
        for (String out : n.outputs()) {
            if (!lastUse.containsKey(out) && !outputNames.contains(out) && !taps.contains(out)) {
                values.remove(out);
            }
        }
    }

    /** Number of activations held for backward (0 after backward or in inference mode); for tests and memory reports. */
    public int heldActivations() {
        return tape == null ? 0 : tape.size();
    }
}
