package dev.minnow.compress.recipe;

import dev.minnow.errors.InvalidInputException;
import java.util.Collection;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * JSON for the runner's state file, report.json and every command's `--json` line: written here
 * (maps, lists, arrays, numbers, strings, booleans, null; NaN and infinities as null; whole
 * numbers as 12345678.0, never in exponent form), read back with snakeyaml-engine (JSON is YAML 1.2).
 */
public final class JsonText {
    private JsonText() {
    }

    public static String write(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v);
        return b.toString();
    }

    /** Parses JSON text into maps, lists, numbers, strings, booleans and nulls. */
    public static Object read(String text, String source) {
        try {
            return new Load(LoadSettings.builder().setLabel(source).build()).loadFromString(text);
        } catch (YamlEngineException e) {
            throw new InvalidInputException(source + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static void write(StringBuilder b, Object v) {
        switch (v) {
            case null -> b.append("null");
            case String s -> string(b, s);
            case Boolean x -> b.append(x);
            case Double d -> number(b, d);
            case Float f -> number(b, f.doubleValue());
            case Number n -> b.append(n.longValue());
            case Map<?, ?> m -> {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    b.append(first ? "" : ",");
                    first = false;
                    string(b, String.valueOf(e.getKey()));
                    b.append(':');
                    write(b, e.getValue());
                }
                b.append('}');
            }
            case Collection<?> c -> {
                b.append('[');
                boolean first = true;
                for (Object o : c) {
                    b.append(first ? "" : ",");
                    first = false;
                    write(b, o);
                }
                b.append(']');
            }
            case double[] a -> write(b, java.util.Arrays.stream(a).boxed().toList());
            case int[] a -> write(b, java.util.Arrays.stream(a).boxed().toList());
            case long[] a -> write(b, java.util.Arrays.stream(a).boxed().toList());
            default -> string(b, v.toString());
        }
    }

    private static void number(StringBuilder b, double d) {
        if (!Double.isFinite(d)) {
            b.append("null");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            b.append((long) d).append(".0"); // 12345678.0, not 1.2345678E7
        } else {
            b.append(d);
        }
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
