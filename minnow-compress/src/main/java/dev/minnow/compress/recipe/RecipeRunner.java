package dev.minnow.compress.recipe;

import dev.minnow.compress.encode.GraphCodec;
import dev.minnow.compress.encode.Mnz;
import dev.minnow.compress.prune.FineTuning;
import dev.minnow.data.DatasetSplit;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.io.AtomicFiles;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.MaskConstraint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs a recipe's steps on a model, measuring the model after each one (top-1 on the test set,
 * size, non-zero parameters, MACs, batch-1 latency) and saving it in the run's folder as
 * step-N-KIND.onnx (or the step's own file, encode's .mnz) with DIR/state.json beside it. Run
 * again on the same folder with the same model and recipe, it continues after the last finished
 * step; a folder holding another run is refused unless {@link Options#restart}.
 *
 * <p>Every step kind of the recipe must be in the registry; that is checked before anything runs.
 */
public final class RecipeRunner {
    /**
     * @param latencySeconds time for each batch-1 latency measurement; 0 measures none
     * @param progress receives one line per step (started, finished)
     */
    public record Options(GraphCodec codec, FineTuning tuning, double epochsScale, double latencySeconds,
                          Consumer<String> progress, boolean restart) {
        public Options {
            if (!(epochsScale > 0) || Double.isInfinite(epochsScale)) {
                throw new InvalidInputException("the epochs scale must be a number above 0, got " + epochsScale);
            }
        }

        public Options withEpochsScale(double f) {
            return new Options(codec, tuning, f, latencySeconds, progress, restart);
        }
    }

    /**
     * A finished run: the model before (record 0 and its graph) and after every step.
     *
     * @param resumedAfter the number of steps found finished in the folder when the run started
     */
    public record Result(Recipe recipe, String modelId, Path dir, Graph base, ModelState last, List<StepRecord> records,
                         int resumedAfter) {
        public StepRecord before() {
            return records.getFirst();
        }

        public StepRecord after() {
            return records.getLast();
        }

        public List<StepRecord> steps() {
            return records.subList(1, records.size());
        }

        /** The model's final file (the last step's file). */
        public Path finalFile() {
            return dir.resolve(after().file());
        }
    }

    private final StepRegistry registry;
    private final Options options;

    public RecipeRunner(StepRegistry registry, Options options) {
        this.registry = registry;
        this.options = options;
    }

    public Options options() {
        return options;
    }

    /**
     * Runs (or continues) the recipe in dir. input is asked for the model only when the run
     * starts afresh (a zoo model may be trained there); modelId names the model for the resume
     * check (the same id means the same model).
     */
    public Result run(Recipe recipe, String modelId, Supplier<Graph> input, DatasetSplit split, Path dir) {
        registry.check(recipe);
        String fingerprint = fingerprint(recipe);
        RunState state = null;
        if (Files.exists(dir.resolve(RunState.FILE))) {
            if (options.restart()) {
                clear(dir);
            } else {
                state = RunState.read(dir);
                if (!state.model().equals(modelId) || !state.recipe().equals(fingerprint)) {
                    throw new InvalidInputException(dir + " holds a run of recipe '" + state.recipeName() + "' on model '"
                            + state.model() + "'" + (state.recipe().equals(fingerprint) ? "" : " with other steps") + "; this"
                            + " is recipe '" + recipe.name() + "' on '" + modelId + "'. Give another --out folder, or"
                            + " --restart to delete that run and start again");
                }
            }
        }
        List<StepRecord> records = new ArrayList<>();
        Graph base;
        ModelState current;
        if (state == null) {
            base = input.get().copy();
            current = ModelState.of(base);
            Path baseFile = dir.resolve("step-0-base.onnx");
            write(baseFile, options.codec().writer().apply(base));
            long t0 = System.nanoTime();
            double top1 = ModelMeasures.top1(base, split.test(), split.normalization());
            records.add(new StepRecord(0, "base", 0, Map.of(), top1, ModelMeasures.sizeBytes(base, Map.of()),
                    ModelMeasures.nonZeroParams(base), base.macs(), latency(base), seconds(t0), Map.of(),
                    baseFile.getFileName().toString()));
            state = new RunState(modelId, fingerprint, recipe.name(), records, List.of(), Map.of());
            state.write(dir);
            options.progress().accept(String.format("base: top-1 %.2f%%, %,d bytes, %,d non-zero parameters, %,d MACs",
                    100 * top1, records.getFirst().sizeBytes(), records.getFirst().nonZeroParams(), base.macs()));
        } else {
            records.addAll(state.records());
            base = load(dir.resolve(records.getFirst().file()));
            Graph last = records.size() == 1 ? base : load(dir.resolve(records.getLast().file()));
            current = new ModelState(last, masksFromZeros(last, state.masked()), state.weightBits());
            options.progress().accept("continuing in " + dir + " after step " + (records.size() - 1) + " of "
                    + recipe.steps().size() + " (" + records.getLast().kind() + ")");
        }
        int resumedAfter = records.size() - 1;
        int n = recipe.steps().size();
        for (int i = records.size(); i <= n; i++) {
            StepSpec spec = recipe.steps().get(i - 1);
            options.progress().accept(String.format("step %d/%d: %s", i, n, spec.describe()));
            StepContext ctx = new StepContext(split, dir, options.codec(), options.tuning(), options.epochsScale(), i,
                    recipe.source());
            long t0 = System.nanoTime();
            StepOutput out = registry.get(spec.kind()).run(spec, current, ctx);
            StepRecord prev = records.getLast();
            Graph g = out.state().graph();
            boolean same = g == current.graph();
            double top1 = same ? prev.top1() : ModelMeasures.top1(g, split.test(), split.normalization());
            long size = out.sizeBytes() != null ? out.sizeBytes()
                    : same && out.state().weightBits().equals(current.weightBits()) ? prev.sizeBytes()
                    : ModelMeasures.sizeBytes(g, out.state().weightBits());
            Double latency = same ? prev.latencyMs() : latency(g);
            Path file = out.savedFile();
            if (file == null) {
                file = ctx.stepFile(spec.kind(), "onnx");
                write(file, options.codec().writer().apply(g));
            }
            StepRecord rec = new StepRecord(i, spec.kind().key, spec.line(), spec.settings(), top1, size,
                    ModelMeasures.nonZeroParams(g), g.macs(), latency, seconds(t0), out.details(),
                    dir.toAbsolutePath().normalize().relativize(file.toAbsolutePath().normalize()).toString());
            records.add(rec);
            current = out.state();
            new RunState(modelId, fingerprint, recipe.name(), records,
                    current.masks().masks().keySet().stream().sorted().toList(), current.weightBits()).write(dir);
            options.progress().accept(String.format("step %d/%d %s done in %.1f s: top-1 %.2f%%, %,d bytes, %,d non-zero"
                            + " parameters, %,d MACs -> %s", i, n, spec.kind().key, rec.seconds(), 100 * top1, size,
                    rec.nonZeroParams(), rec.macs(), rec.file()));
        }
        return new Result(recipe, modelId, dir, base, current, List.copyOf(records), resumedAfter);
    }

    /** What makes two recipes the same run: the name and each step's kind and settings (not lines or text). */
    static String fingerprint(Recipe r) {
        StringBuilder b = new StringBuilder(r.name());
        r.steps().forEach(s -> b.append('\n').append(s.describe()));
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Double latency(Graph g) {
        return options.latencySeconds() > 0 ? ModelMeasures.latencyMs(g, options.latencySeconds()) : null;
    }

    private Graph load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException("the run's state names " + file + ", which is missing; give --restart to start"
                    + " the run again");
        }
        if (file.toString().endsWith(".mnz")) {
            return Mnz.read(file, options.codec());
        }
        try {
            return options.codec().reader().apply(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Masks rebuilt from a saved model: a masked weight keeps exactly its non-zero entries. */
    private static MaskConstraint masksFromZeros(Graph g, List<String> masked) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (String w : masked) {
            Tensor t = g.initializers().get(w);
            if (t == null) {
                continue;
            }
            float[] x = t.floats();
            float[] keep = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                keep[i] = x[i] != 0 ? 1 : 0;
            }
            m.put(w, Tensor.of(t.shape(), keep));
        }
        return MaskConstraint.of(m);
    }

    /** Deletes a previous run's state and step files (nothing else in the folder). */
    private static void clear(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (name.equals(RunState.FILE) || name.matches("step-\\d+-[a-z]+\\.(onnx|mnz)")) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir, e);
        }
    }

    private static void write(Path file, byte[] bytes) {
        try {
            AtomicFiles.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
