package dev.minnow.graph;

import dev.minnow.errors.UnsupportedOpException;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** The one registry of op kinds: ONNX op type (default domain) to a factory from attributes. */
public final class OpRegistry {
    private static final OpRegistry GLOBAL = new OpRegistry();

    static {
        new dev.minnow.graph.ops.NnOps().register(GLOBAL);
        new dev.minnow.graph.ops.TensorOps().register(GLOBAL);
        new dev.minnow.graph.ops.FusedOps().register(GLOBAL);
    }

    private final Map<String, Function<Attributes, Op>> factories = new TreeMap<>();

    public static OpRegistry global() {
        return GLOBAL;
    }

    public synchronized void register(String type, Function<Attributes, Op> factory) {
        factories.put(type, factory);
    }

    public synchronized boolean supports(String type) {
        return factories.containsKey(type);
    }

    public synchronized java.util.Set<String> supportedTypes() {
        return java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(factories.keySet()));
    }

    /** Creates the op for a node; names the op and lists what is supported when it is unknown. */
    public Op create(String type, Attributes attributes) {
        Function<Attributes, Op> f;
        synchronized (this) {
            f = factories.get(type);
        }
        if (f == null) {
            throw new UnsupportedOpException("op '" + type + "' is not supported by Minnow. Supported ops: "
                    + String.join(" ", supportedTypes()));
        }
        return f.apply(attributes);
    }
}
