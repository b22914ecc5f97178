package dev.minnow.compress.recipe;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DIR/state.json: which model and recipe the run in DIR belongs to, and the record of every
 * finished step (index 0 is the model before the recipe) with the file it saved. Written
 * atomically after each step, so an interrupted run leaves the state of its last finished step.
 *
 * @param masked the weights whose zeros later training holds (masks are rebuilt from the zeros)
 * @param weightBits bit widths of narrowed weights (the size hook)
 */
record RunState(String model, String recipe, String recipeName, List<StepRecord> records, List<String> masked,
                Map<String, Integer> weightBits) {
    static final String FILE = "state.json";
    static final int VERSION = 1;

    void write(Path dir) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", VERSION);
        m.put("model", model);
        m.put("recipe", recipe);
        m.put("recipe_name", recipeName);
        m.put("records", records.stream().map(StepRecord::toMap).toList());
        m.put("masked", masked);
        m.put("weight_bits", weightBits);
        try {
            AtomicFiles.write(dir.resolve(FILE), JsonText.write(m).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(FILE), e);
        }
    }

    @SuppressWarnings("unchecked")
    static RunState read(Path dir) {
        Path f = dir.resolve(FILE);
        try {
            Object o = JsonText.read(Files.readString(f, StandardCharsets.UTF_8), f.toString());
            if (!(o instanceof Map<?, ?> raw) || !(raw.get("version") instanceof Number v) || v.intValue() != VERSION) {
                throw new InvalidInputException(f + " is not a state file of this Minnow version; give --restart to"
                        + " start the run again");
            }
            Map<String, Object> m = (Map<String, Object>) raw;
            List<StepRecord> records = new ArrayList<>();
            for (Object r : (List<Object>) m.get("records")) {
                records.add(StepRecord.fromMap((Map<String, Object>) r));
            }
            Map<String, Integer> bits = new LinkedHashMap<>();
            ((Map<String, Object>) m.get("weight_bits")).forEach((k, b) -> bits.put(k, ((Number) b).intValue()));
            return new RunState((String) m.get("model"), (String) m.get("recipe"), (String) m.get("recipe_name"),
                    records, (List<String>) m.get("masked"), bits);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        } catch (ClassCastException | NullPointerException e) {
            throw new InvalidInputException(f + " is damaged (" + e.getMessage() + "); give --restart to start the run"
                    + " again", e);
        }
    }
}
