package dev.minnow.hw.systolic;

import dev.minnow.errors.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reader for SCALE-Sim's convolution topology CSV:
 * <pre>
 * Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
 * Conv1, 224, 224, 11, 11, 3, 96, 4,
 * </pre>
 * The first line is the header; every row ends with a comma (one trailing empty field is
 * dropped, so rows without it are read too). An optional ninth field is a sparsity ratio
 * {@code N:M}, accepted and ignored since sparsity is not modelled. The stride applies to both
 * directions. As in SCALE-Sim, a layer whose name contains {@code DP} is depthwise: it becomes
 * one single-channel layer per channel, named {@code <name>Channel_<i>}.
 */
public final class ScaleSimTopology {
    private static final String[] FIELDS = {"Layer name", "IFMAP Height", "IFMAP Width", "Filter Height",
            "Filter Width", "Channels", "Num Filter", "Strides"};

    private ScaleSimTopology() {
    }

    public static List<ConvLayer> read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read topology file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses the CSV's text; {@code source} names it in error messages. */
    public static List<ConvLayer> parse(String text, String source) {
        String[] lines = text.split("\\R", -1);
        List<ConvLayer> layers = new ArrayList<>();
        boolean headerSeen = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = source + " line " + (i + 1);
            List<String> fields = fields(line);
            if (!headerSeen) {
                headerSeen = true;
                // SCALE-Sim skips the first line unread; a data row there would silently vanish
                if (fields.size() > 1 && isInteger(fields.get(1))) {
                    throw new InvalidInputException(where + ": expected the header line '"
                            + String.join(", ", FIELDS) + ",' before the layers");
                }
                continue;
            }
            addRow(fields, where, layers);
        }
        if (layers.isEmpty()) {
            throw new InvalidInputException(source + ": no layers (a header line, then one row per layer)");
        }
        return List.copyOf(layers);
    }

    private static void addRow(List<String> f, String where, List<ConvLayer> layers) {
        if (f.size() < FIELDS.length || f.size() > FIELDS.length + 1) {
            throw new InvalidInputException(where + ": expected " + FIELDS.length + " fields ("
                    + String.join(", ", FIELDS) + ") and an optional sparsity ratio, found " + f.size());
        }
        String name = f.get(0);
        if (name.isEmpty()) {
            throw new InvalidInputException(where + ": field 'Layer name' is empty");
        }
        int[] v = new int[FIELDS.length];
        for (int k = 1; k < FIELDS.length; k++) {
            v[k] = integer(f.get(k), FIELDS[k], where);
        }
        if (f.size() > FIELDS.length) {
            checkSparsityRatio(f.get(FIELDS.length), where);
        }
        try {
            if (name.contains("DP")) {
                for (int c = 0; c < v[5]; c++) {
                    layers.add(new ConvLayer(name + "Channel_" + c, v[1], v[2], v[3], v[4], 1, v[6], v[7], v[7]));
                }
            } else {
                layers.add(new ConvLayer(name, v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[7]));
            }
        } catch (InvalidInputException e) {
            throw new InvalidInputException(where + ": " + e.getMessage(), e);
        }
    }

    private static void checkSparsityRatio(String text, String where) {
        String[] nm = text.split(":", -1);
        if (nm.length != 2 || !isInteger(nm[0].strip()) || !isInteger(nm[1].strip())) {
            throw new InvalidInputException(where + ": the sparsity ratio field is '" + text + "'; write it as N:M");
        }
    }

    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        for (String s : line.split(",", -1)) {
            out.add(s.strip());
        }
        if (out.size() > 1 && out.getLast().isEmpty()) {
            out.removeLast();
        }
        return out;
    }

    private static int integer(String text, String field, String where) {
        if (!isInteger(text)) {
            throw new InvalidInputException(where + ": field '" + field + "' is '" + text + "', not a whole number");
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new InvalidInputException(where + ": field '" + field + "' is '" + text + "', too large", e);
        }
    }

    private static boolean isInteger(String s) {
        return s.matches("[+-]?\\d+");
    }
}
