package dev.minnow.compress.recipe;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one finished step did and what the model measured after it. Index 0 is the model before
 * the recipe (kind "base"). sizeBytes: dense float32 = 4 bytes per parameter, weights narrowed
 * by a quantizing step at their bits, an encoded model at its .mnz size. latencyMs is null when
 * not measured. file is relative to the run's folder.
 */
public record StepRecord(int index, String kind, int line, Map<String, Object> settings, double top1, long sizeBytes,
                         long nonZeroParams, long macs, Double latencyMs, double seconds, Map<String, Object> details,
                         String file) {
    public StepRecord {
        settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", index);
        m.put("kind", kind);
        m.put("line", line);
        m.put("settings", new java.util.TreeMap<>(settings));
        m.put("top1", top1);
        m.put("size_bytes", sizeBytes);
        m.put("nonzero_params", nonZeroParams);
        m.put("macs", macs);
        m.put("latency_ms", latencyMs);
        m.put("seconds", seconds);
        m.put("details", details);
        m.put("file", file);
        return m;
    }

    @SuppressWarnings("unchecked")
    static StepRecord fromMap(Map<String, Object> m) {
        Object lat = m.get("latency_ms");
        return new StepRecord(((Number) m.get("index")).intValue(), (String) m.get("kind"),
                ((Number) m.get("line")).intValue(), (Map<String, Object>) m.get("settings"),
                ((Number) m.get("top1")).doubleValue(), ((Number) m.get("size_bytes")).longValue(),
                ((Number) m.get("nonzero_params")).longValue(), ((Number) m.get("macs")).longValue(),
                lat == null ? null : ((Number) lat).doubleValue(), ((Number) m.get("seconds")).doubleValue(),
                (Map<String, Object>) m.get("details"), (String) m.get("file"));
    }
}
