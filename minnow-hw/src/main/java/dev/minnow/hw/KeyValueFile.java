package dev.minnow.hw;

import dev.minnow.errors.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A hardware description as {@code key: value} lines ('#' comments), the form of Eyeriss and
 * EIE descriptions: unknown keys and unparsable numbers name the file and line; absent keys
 * keep the caller's default.
 */
public final class KeyValueFile {
    private final Path file;
    private final Map<String, String> values = new HashMap<>();
    private final Map<String, Integer> lineOf = new HashMap<>();

    private KeyValueFile(Path file) {
        this.file = file;
    }

    public static KeyValueFile read(Path file, List<String> keys) {
        KeyValueFile kv = new KeyValueFile(file);
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new InvalidInputException(file + " line " + (i + 1) + ": expected 'key: value', got '" + line + "'");
            }
            String key = line.substring(0, colon).strip();
            if (!keys.contains(key)) {
                throw new InvalidInputException(file + " line " + (i + 1) + ": unknown key '" + key + "'; keys: "
                        + String.join(", ", keys));
            }
            kv.values.put(key, line.substring(colon + 1).strip());
            kv.lineOf.put(key, i + 1);
        }
        return kv;
    }

    public int getInt(String key, int dflt) {
        String v = values.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new InvalidInputException(file + " line " + lineOf.get(key) + ": " + key + " must be an integer, got '" + v + "'");
        }
    }

    public double getDouble(String key, double dflt) {
        String v = values.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new InvalidInputException(file + " line " + lineOf.get(key) + ": " + key + " must be a number, got '" + v + "'");
        }
    }
}
