package dev.minnow.graph;

import dev.minnow.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stable hash of a graph's structure: inputs and outputs, every node (name, domain, op type,
 * inputs, outputs, attributes) in topological order, and every initializer's name, element
 * type and shape, not its values. Two graphs with the same hash take the same parameters and
 * run the same computation, so a checkpoint taken on one can resume on the other.
 */
public final class StructureHash {
    private StructureHash() {
    }

    /** SHA-256 of the canonical description, as 64 hex digits. Validates the graph. */
    public static String of(Graph graph) {
        graph.validate();
        StringBuilder sb = new StringBuilder();
        describe(graph, sb);
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder();
            for (byte b : d) {
                hex.append(Character.forDigit((b >> 4) & 15, 16)).append(Character.forDigit(b & 15, 16));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static void describe(Graph g, StringBuilder sb) {
        sb.append("inputs");
        g.inputs().forEach(v -> sb.append(' ').append(v.name()).append(':').append(v.type()));
        sb.append("\noutputs");
        g.outputs().forEach(v -> sb.append(' ').append(v.name()));
        for (Node n : g.nodes()) {
            sb.append("\nnode ").append(n.name()).append(' ').append(n.domain()).append(':').append(n.opType())
                    .append(' ').append(n.inputs()).append(" -> ").append(n.outputs());
            for (Map.Entry<String, Object> a : new TreeMap<>(n.attributes().asMap()).entrySet()) {
                sb.append(' ').append(a.getKey()).append('=');
                value(a.getValue(), sb);
            }
        }
        for (Map.Entry<String, Tensor> e : new TreeMap<>(g.initializers()).entrySet()) {
            sb.append("\ninit ").append(e.getKey()).append(' ').append(e.getValue().dtype().label).append(e.getValue().shape());
        }
    }

    private static void value(Object v, StringBuilder sb) {
        switch (v) {
            case long[] a -> sb.append(Arrays.toString(a));
            case double[] a -> sb.append(Arrays.toString(a));
            case float[] a -> sb.append(Arrays.toString(a));
            case int[] a -> sb.append(Arrays.toString(a));
            case String[] a -> sb.append(Arrays.toString(a));
            case Object[] a -> {
                sb.append('[');
                for (Object o : a) {
                    value(o, sb);
                    sb.append(',');
                }
                sb.append(']');
            }
            case Tensor t -> sb.append("tensor ").append(t.dtype().label).append(t.shape()).append(' ').append(Arrays.deepHashCode(
                    new Object[] {t.data()}));
            case Graph sub -> {
                sb.append("graph{");
                describe(sub, sb);
                sb.append('}');
            }
            default -> sb.append(v);
        }
    }
}
