package dev.minnow.graph;

import dev.minnow.errors.UnsupportedOpException;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The one registry of op kinds: (domain, op type) to a factory from attributes. The default
 * ONNX domain is "" (also spelled "ai.onnx"); Minnow's own ops (fake quantization, fused
 * ops) live in {@link #MINNOW_DOMAIN}, so they round-trip through ONNX files.
 */
public final class OpRegistry {
    /** The default ONNX domain. */
    public static final String DEFAULT_DOMAIN = "";
    /** Minnow's own ops: read and written by Minnow, not runnable by ONNX Runtime. */
    public static final String MINNOW_DOMAIN = "dev.minnow";
    /** ONNX Runtime's contrib ops that Minnow implements (QLinearGlobalAveragePool). */
    public static final String MICROSOFT_DOMAIN = "com.microsoft";

    private static final OpRegistry GLOBAL = new OpRegistry();

    // Each op family registers its own ops. A fixed list rather than a ServiceLoader scan keeps
    // startup cheap and the registry the same whatever is on the class path.
    static {
        new dev.minnow.graph.ops.nn.NnOps().register(GLOBAL);
        new dev.minnow.graph.ops.tensor.TensorOps().register(GLOBAL);
        new dev.minnow.graph.ops.quant.QuantOps().register(GLOBAL);
        new dev.minnow.graph.ops.sequence.SequenceOps().register(GLOBAL);
        new dev.minnow.graph.ops.signal.SignalOps().register(GLOBAL);
        new dev.minnow.graph.ops.detection.DetectionOps().register(GLOBAL);
    }

    private record Key(String domain, String type) {
    }

    private final Map<Key, Function<Attributes, Op>> factories = new TreeMap<>(
            java.util.Comparator.comparing(Key::domain).thenComparing(Key::type));

    public static OpRegistry global() {
        return GLOBAL;
    }

    /** "ai.onnx" and null are the default domain "". */
    public static String normalizeDomain(String domain) {
        return domain == null || domain.equals("ai.onnx") ? DEFAULT_DOMAIN : domain;
    }

    /** Registers an op of the default ONNX domain. */
    public void register(String type, Function<Attributes, Op> factory) {
        register(DEFAULT_DOMAIN, type, factory);
    }

    public synchronized void register(String domain, String type, Function<Attributes, Op> factory) {
        factories.put(new Key(normalizeDomain(domain), type), factory);
    }

    /** Whether an op of the default ONNX domain is registered. */
    public boolean supports(String type) {
        return supports(DEFAULT_DOMAIN, type);
    }

    public synchronized boolean supports(String domain, String type) {
        return factories.containsKey(new Key(normalizeDomain(domain), type));
    }

    /** Op types of the default ONNX domain. */
    public java.util.Set<String> supportedTypes() {
        return supportedTypes(DEFAULT_DOMAIN);
    }

    public synchronized java.util.Set<String> supportedTypes(String domain) {
        String d = normalizeDomain(domain);
        java.util.Set<String> r = new java.util.TreeSet<>();
        factories.keySet().stream().filter(k -> k.domain().equals(d)).forEach(k -> r.add(k.type()));
        return java.util.Collections.unmodifiableSet(r);
    }

    /** Creates an op of the default ONNX domain. */
    public Op create(String type, Attributes attributes) {
        return create(DEFAULT_DOMAIN, type, attributes);
    }

    /** Creates the op for a node; names the op and the closest supported ones when it is unknown. */
    public Op create(String domain, String type, Attributes attributes) {
        String d = normalizeDomain(domain);
        Function<Attributes, Op> f;
        synchronized (this) {
            f = factories.get(new Key(d, type));
        }
        if (f == null) {
            String where = d.isEmpty() ? "ai.onnx" : d;
            java.util.List<String> near = dev.minnow.errors.ClosestNames.of(type, supportedTypes(d), 3);
            throw new UnsupportedOpException("op '" + type + "' (domain " + where + ") is not supported by Minnow"
                    + (near.isEmpty() ? "" : "; closest supported: " + String.join(", ", near))
                    + (d.isEmpty() || supportedTypes(d).size() > 20 ? ""
                        : "; domain " + d + " has: " + String.join(" ", supportedTypes(d)))
                    + ". docs/ONNX_SUPPORT.md lists the supported ops (`minnow onnx-conformance` measures them)");
        }
        return f.apply(attributes);
    }
}
