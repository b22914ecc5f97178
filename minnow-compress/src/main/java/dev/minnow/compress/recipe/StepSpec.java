package dev.minnow.compress.recipe;

import dev.minnow.errors.InvalidInputException;
import java.util.List;
import java.util.Map;

/**
 * One step of a recipe as written: its kind, its settings (already checked against the kind's
 * types), and the line it starts on, so later errors (a step that cannot run on this model) can
 * still point at the recipe.
 */
public record StepSpec(StepKind kind, Map<String, Object> settings, int line) {
    public StepSpec {
        settings = Map.copyOf(settings);
    }

    public boolean has(String key) {
        return settings.containsKey(key);
    }

    public double number(String key, double otherwise) {
        Object v = settings.get(key);
        return v == null ? otherwise : ((Number) v).doubleValue();
    }

    public Double number(String key) {
        Object v = settings.get(key);
        return v == null ? null : ((Number) v).doubleValue();
    }

    public int integer(String key, int otherwise) {
        Object v = settings.get(key);
        return v == null ? otherwise : ((Number) v).intValue();
    }

    public String text(String key, String otherwise) {
        Object v = settings.get(key);
        return v == null ? otherwise : v.toString();
    }

    public boolean flag(String key, boolean otherwise) {
        Object v = settings.get(key);
        return v == null ? otherwise : (Boolean) v;
    }

    @SuppressWarnings("unchecked")
    public List<Double> numbers(String key, List<Double> otherwise) {
        Object v = settings.get(key);
        return v == null ? otherwise : (List<Double>) v;
    }

    /** An error about this step, pointing at its line. */
    public InvalidInputException error(String source, String message) {
        return new InvalidInputException(source + " line " + line + ": " + kind.key + ": " + message);
    }

    /** "prune granularity=channel target-macs=0.5", for records and logs. */
    public String describe() {
        StringBuilder b = new StringBuilder(kind.key);
        new java.util.TreeMap<>(settings).forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
        return b.toString();
    }
}
