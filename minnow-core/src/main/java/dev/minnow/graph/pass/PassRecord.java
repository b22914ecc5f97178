package dev.minnow.graph.pass;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one pass did to a graph: its name, the settings it ran with, counts of what changed
 * (e.g. {@code folded: 19}, {@code params_removed: 40210}) and one line per change for people.
 * A recipe is a list of passes; its report is the list of their records.
 */
public record PassRecord(String pass, Map<String, Object> settings, Map<String, Number> counts, List<String> changes) {
    public PassRecord {
        settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        counts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(counts));
        changes = List.copyOf(changes);
    }

    /** A record builder: {@code PassRecord.of("bn-folding").count("folded", 3).change("conv1 <- bn1").build()}. */
    public static Builder of(String pass) {
        return new Builder(pass);
    }

    /** A count by name, 0 when the pass did not report it. */
    public long count(String name) {
        Number n = counts.get(name);
        return n == null ? 0 : n.longValue();
    }

    /** Whether the pass changed anything (some count is non-zero or a change was listed). */
    public boolean changed() {
        return !changes.isEmpty() || counts.values().stream().anyMatch(n -> n.doubleValue() != 0);
    }

    public static final class Builder {
        private final String pass;
        private final Map<String, Object> settings = new LinkedHashMap<>();
        private final Map<String, Number> counts = new LinkedHashMap<>();
        private final List<String> changes = new java.util.ArrayList<>();

        private Builder(String pass) {
            this.pass = pass;
        }

        public Builder setting(String name, Object value) {
            settings.put(name, value);
            return this;
        }

        /** Adds to a count (starting at 0). */
        public Builder count(String name, long delta) {
            counts.merge(name, delta, (a, b) -> a.longValue() + b.longValue());
            return this;
        }

        /** Sets a measured quantity (a fraction, a size). */
        public Builder measure(String name, double value) {
            counts.put(name, value);
            return this;
        }

        public Builder change(String line) {
            changes.add(line);
            return this;
        }

        public PassRecord build() {
            return new PassRecord(pass, settings, counts, changes);
        }
    }
}
