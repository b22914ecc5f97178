package dev.minnow.cli.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lenient reads from a report map (parsed JSON or built in Java): any key may be missing, null
 * or of an unexpected type, and then reads as absent so the report shows what is there.
 */
final class Values {
    private Values() {
    }

    /** A finite number, or null when missing, null, not a number, NaN or infinite. */
    static Double num(Map<?, ?> m, String key) {
        return m == null ? null : num(m.get(key));
    }

    static Double num(Object v) {
        if (v instanceof Number n) {
            double d = n.doubleValue();
            return Double.isFinite(d) ? d : null;
        }
        return null;
    }

    static String str(Map<?, ?> m, String key) {
        Object v = m == null ? null : m.get(key);
        return v == null ? null : String.valueOf(v);
    }

    static Boolean bool(Map<?, ?> m, String key) {
        return m != null && m.get(key) instanceof Boolean b ? b : null;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<?, ?> m, String key) {
        Object v = m == null ? null : m.get(key);
        if (v instanceof Map<?, ?> x) {
            Map<String, Object> out = new LinkedHashMap<>();
            x.forEach((k, val) -> out.put(String.valueOf(k), val));
            return out;
        }
        return null;
    }

    /** The list under key, or an empty list. */
    static List<?> list(Map<?, ?> m, String key) {
        Object v = m == null ? null : m.get(key);
        return v instanceof List<?> l ? l : List.of();
    }

    /** The maps in the list under key (other elements are skipped). */
    static List<Map<String, Object>> maps(Map<?, ?> m, String key) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : list(m, key)) {
            if (o instanceof Map<?, ?>) {
                out.add(map(Map.of("x", o), "x"));
            }
        }
        return out;
    }

    /**
     * The recipe's steps, without record 0 (the original model, which the page shows from the
     * top-level *_before keys). The runner's own names are accepted too: nonzero_params for
     * params, details for record, file for out.
     */
    static List<Map<String, Object>> steps(Map<?, ?> report) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> s : maps(report, "steps")) {
            Double index = num(s, "index");
            if (index != null && index == 0) {
                continue;
            }
            alias(s, "params", "nonzero_params");
            alias(s, "record", "details");
            alias(s, "out", "file");
            out.add(s);
        }
        return out;
    }

    private static void alias(Map<String, Object> m, String key, String other) {
        if (m.get(key) == null && m.get(other) != null) {
            m.put(key, m.get(other));
        }
    }

    /** The finite numbers in the list under key. */
    static double[] numbers(Map<?, ?> m, String key) {
        return numbers(list(m, key));
    }

    static double[] numbers(List<?> l) {
        double[] out = new double[l.size()];
        int n = 0;
        for (Object o : l) {
            Double d = num(o);
            if (d != null) {
                out[n++] = d;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
