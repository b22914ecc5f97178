package dev.minnow.graph;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Node attributes, as ONNX has them. Values are stored as: Long (INT), Double (FLOAT),
 * String (STRING), long[] (INTS), double[] (FLOATS), String[] (STRINGS), Tensor (TENSOR),
 * Graph (GRAPH). Getters convert and fill defaults.
 */
public final class Attributes {
    private final Map<String, Object> values;

    public Attributes() {
        this.values = new LinkedHashMap<>();
    }

    public Attributes(Map<String, Object> values) {
        this.values = new LinkedHashMap<>(values);
    }

    public static Attributes of(Object... keyValues) {
        Attributes a = new Attributes();
        for (int i = 0; i < keyValues.length; i += 2) {
            a.set((String) keyValues[i], keyValues[i + 1]);
        }
        return a;
    }

    /** Sets a value; ints become Long, floats Double, int[] becomes long[], float[] becomes double[]. */
    public Attributes set(String name, Object value) {
        Object v = switch (value) {
            case Integer i -> (long) i;
            case Float f -> (double) f;
            case int[] a -> java.util.Arrays.stream(a).asLongStream().toArray();
            case float[] a -> {
                double[] d = new double[a.length];
                for (int i = 0; i < a.length; i++) {
                    d[i] = a[i];
                }
                yield d;
            }
            default -> value;
        };
        values.put(name, v);
        return this;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public Map<String, Object> asMap() {
        return Collections.unmodifiableMap(values);
    }

    public long getInt(String name, long dflt) {
        Object v = values.get(name);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Long l) {
            return l;
        }
        throw wrongKind(name, v, "an integer");
    }

    public double getFloat(String name, double dflt) {
        Object v = values.get(name);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Double d) {
            return d;
        }
        if (v instanceof Long l) {
            return l;
        }
        throw wrongKind(name, v, "a float");
    }

    public String getString(String name, String dflt) {
        Object v = values.get(name);
        if (v == null) {
            return dflt;
        }
        if (v instanceof String s) {
            return s;
        }
        throw wrongKind(name, v, "a string");
    }

    /** INTS attribute, or dflt (which may be null) when absent. */
    public long[] getInts(String name, long[] dflt) {
        Object v = values.get(name);
        if (v == null) {
            return dflt;
        }
        if (v instanceof long[] a) {
            return a.clone();
        }
        throw wrongKind(name, v, "a list of integers");
    }

    public int[] getIntsAsInt(String name, int[] dflt) {
        long[] a = getInts(name, null);
        if (a == null) {
            return dflt;
        }
        int[] r = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            if (a[i] != (int) a[i]) {
                throw new InvalidInputException("attribute '" + name + "' holds " + a[i]
                        + ", outside the 32-bit range Minnow accepts for it; the model's attribute is corrupt or wrong");
            }
            r[i] = (int) a[i];
        }
        return r;
    }

    public double[] getFloats(String name, double[] dflt) {
        Object v = values.get(name);
        if (v == null) {
            return dflt;
        }
        if (v instanceof double[] a) {
            return a.clone();
        }
        throw wrongKind(name, v, "a list of floats");
    }

    public String[] getStrings(String name, String[] dflt) {
        Object v = values.get(name);
        if (v == null) {
            return dflt;
        }
        if (v instanceof String[] a) {
            return a.clone();
        }
        throw wrongKind(name, v, "a list of strings");
    }

    public Tensor getTensor(String name) {
        Object v = values.get(name);
        if (v == null || v instanceof Tensor) {
            return (Tensor) v;
        }
        throw wrongKind(name, v, "a tensor");
    }

    public Graph getGraph(String name) {
        Object v = values.get(name);
        if (v == null || v instanceof Graph) {
            return (Graph) v;
        }
        throw wrongKind(name, v, "a graph");
    }

    private static InvalidInputException wrongKind(String name, Object v, String expected) {
        return new InvalidInputException("attribute '" + name + "' should be " + expected + " but is " + v.getClass().getSimpleName());
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        values.forEach((k, v) -> {
            if (b.length() > 1) {
                b.append(", ");
            }
            b.append(k).append('=');
            b.append(switch (v) {
                case long[] a -> java.util.Arrays.toString(a);
                case double[] a -> java.util.Arrays.toString(a);
                case String[] a -> java.util.Arrays.toString(a);
                default -> String.valueOf(v);
            });
        });
        return b.append('}').toString();
    }
}
