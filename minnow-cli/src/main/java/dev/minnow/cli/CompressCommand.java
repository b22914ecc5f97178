package dev.minnow.cli;

import dev.minnow.compress.prune.FineTuning;
import dev.minnow.compress.recipe.CompressReport;
import dev.minnow.compress.recipe.GoalSearch;
import dev.minnow.compress.recipe.JobRunner;
import dev.minnow.compress.recipe.JobRunnerProvider;
import dev.minnow.compress.recipe.LocalJobRunner;
import dev.minnow.compress.recipe.ModelMeasures;
import dev.minnow.compress.recipe.Recipe;
import dev.minnow.compress.recipe.RecipeReader;
import dev.minnow.compress.recipe.RecipeRunner;
import dev.minnow.compress.recipe.StepRegistry;
import dev.minnow.compress.recipe.StepSpec;
import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Preprocessing;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.io.AtomicFiles;
import dev.minnow.onnx.Onnx;
import dev.minnow.zoo.Zoo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "compress", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a compression recipe (steps such as prune, finetune, encode, export, in YAML or built in) on a",
                "model, measuring accuracy, size, MACs and latency after every step, and write DIR/report.json. A run",
                "interrupted continues from its last finished step when the same command is run again. With",
                "--max-accuracy-drop and a target, searches the prune step's amount for the smallest (or fastest) model",
                "within the accuracy budget and always saves the best one found (docs/COMPRESS.md)."},
        footer = {"", "Examples:", "  minnow compress --list",
                "  minnow compress lenet5 --dataset mnist --recipe deep-compression --out runs/lenet5-dc",
                "  minnow compress resnet20.onnx --dataset cifar10 --recipe my-recipe.yaml --out runs/r20 --json",
                "  minnow compress lenet5.onnx --dataset mnist --recipe deep-compression --out runs/goal \\",
                "      --max-accuracy-drop 0.01 --target-size 30x",
                "  MINNOW_SPARK=1 minnow compress lenet5.onnx --dataset mnist --recipe deep-compression --out runs/goal \\",
                "      --max-accuracy-drop 0.01 --target-size 30x --spark local[2]",
                "", "The input model file is never modified."})
final class CompressCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "MODEL", arity = "0..1", description = "An .onnx or .mnz file, or a zoo model name (trained"
            + " first with its zoo recipe).")
    String model;

    @Option(names = "--dataset", paramLabel = "NAME", description = "mnist, fashion-mnist, cifar10 or imagefolder:PATH.")
    String dataset;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where datasets live (default: $MINNOW_DATA, else ~/.cache/minnow).")
    String dataDir;

    @Option(names = "--recipe", paramLabel = "NAME|FILE.yaml", description = "A built-in recipe (see --list) or a YAML file.")
    String recipe;

    @Option(names = "--out", paramLabel = "DIR", description = "The run's folder: step files, state.json, report.json.")
    Path out;

    @Option(names = "--list", description = "List the built-in recipes with their steps.")
    boolean list;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for training and fine-tuning (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--epochs-scale", defaultValue = "1", paramLabel = "F",
            description = "Multiply every epoch count (training a zoo model, fine-tuning) by F; a count above 0 stays at least 1 (default: ${DEFAULT-VALUE}).")
    double epochsScale;

    @Option(names = "--train-epochs", paramLabel = "N", description = "Epochs when MODEL is a zoo name (default: its zoo recipe, times --epochs-scale).")
    Integer trainEpochs;

    @Option(names = "--restart", description = "Delete the run in --out (state and step files) and start again.")
    boolean restart;

    @Option(names = "--max-accuracy-drop", paramLabel = "FRACTION", description = "Goal mode: top-1 the model may lose (0.01 is one point).")
    Double maxAccuracyDrop;

    @Option(names = "--target-size", paramLabel = "BYTES|Nx|FRACTION", description = "Goal mode: size to reach, in bytes,"
            + " as a compression ratio (30x) or as a fraction of the size before (0.05).")
    String targetSize;

    @Option(names = "--target-latency", paramLabel = "MS", description = "Goal mode: batch-1 latency to reach, in milliseconds.")
    Double targetLatency;

    @Option(names = "--trials", defaultValue = "4", paramLabel = "N", description = "Goal mode: search rounds (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--latency-seconds", defaultValue = "1", description = "Time for each batch-1 latency measurement; 0 skips them (default: ${DEFAULT-VALUE}).")
    double latencySeconds;

    @Option(names = "--spark", paramLabel = "MASTER", description = "Goal mode: run the trials as Apache Spark tasks on"
            + " MASTER (local[2], spark://host:7077); needs MINNOW_SPARK=1 ./minnow (docs/COMPRESS.md).")
    String spark;

    /** The steps this build runs. */
    static StepRegistry registry() {
        return StepRegistry.standard();
    }

    @Override
    public Integer call() {
        common.apply();
        if (list) {
            return list();
        }
        if (recipe == null) {
            throw new InvalidInputException("give --recipe NAME|FILE.yaml (built-in recipes: "
                    + String.join(", ", RecipeReader.BUILTINS) + "; `minnow compress --list` shows them)");
        }
        return execute(RecipeReader.load(recipe));
    }

    int execute(Recipe r) {
        if (model == null || dataset == null || out == null) {
            throw new InvalidInputException("compress needs MODEL, --dataset and --out (or --list)");
        }
        if (!(epochsScale > 0) || Double.isInfinite(epochsScale)) {
            throw new InvalidInputException("--epochs-scale must be a number above 0, got " + epochsScale);
        }
        if (latencySeconds < 0) {
            throw new InvalidInputException("--latency-seconds must be 0 or more, got " + latencySeconds);
        }
        boolean goalMode = maxAccuracyDrop != null || targetSize != null || targetLatency != null;
        if (goalMode && (maxAccuracyDrop == null || (targetSize == null) == (targetLatency == null))) {
            throw new InvalidInputException("goal mode takes --max-accuracy-drop with one of --target-size and"
                    + " --target-latency");
        }
        if (goalMode && rounds < 1) {
            throw new InvalidInputException("--trials must be at least 1, got " + rounds);
        }
        if (spark != null && (!goalMode || recipe == null)) {
            throw new InvalidInputException("--spark runs goal mode's trials: add --max-accuracy-drop and --target-size"
                    + " or --target-latency");
        }
        if (spark != null) {
            JobRunnerProvider.require("spark");
        }
        registry().check(r);
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new InvalidInputException("--out must be a folder, and " + out + " is a file");
        }
        DataOptions data = new DataOptions();
        data.dataset = dataset;
        data.dataDir = dataDir;
        DatasetSplit loaded = data.load();
        boolean zoo = !Files.isRegularFile(Path.of(model)) && Zoo.names().contains(model);
        Graph shape = Models.load(model, seed);
        Preprocessing pre = new PreprocessOptions().resolve(shape, loaded.normalization(), loaded.test().sampleShape().dim(2));
        DatasetSplit split = pre.forTraining(loaded);
        String id = modelId(zoo);
        Supplier<Graph> input = zoo ? () -> train(pre) : () -> shape;
        boolean augment = split.train().sampleShape().dim(0) == 3;
        FineTuning tuning = new FineTuning(null, FineTuning.DEFAULT_WEIGHT_DECAY, FineTuning.DEFAULT_BATCH_SIZE, augment,
                seed, () -> new TrainCommand.ProgressListener(common.json));
        RecipeRunner.Options options = new RecipeRunner.Options(EncodeCommand.ONNX, tuning, epochsScale, latencySeconds,
                line -> System.err.println("compress: " + line), restart);
        Map<String, Object> report;
        String human;
        if (goalMode) {
            Goal g = goal(input, split, id, r, options);
            report = g.report();
            human = g.human();
        } else {
            RecipeRunner.Result res = new RecipeRunner(registry(), options).run(r, id, input, split, out);
            report = CompressReport.of(res, model, dataset);
            human = summary(report);
        }
        writeReport(report);
        common.emit(report, human);
        return 0;
    }

    /**
     * Energy per inference of every step's model, estimated as `minnow cost --steps` does on the
     * cpu target with Horowitz's 45 nm table (docs/HARDWARE.md): the report's energy column and
     * its before/after. A model the estimate cannot read leaves the column empty, with the reason.
     */
    static void addEnergy(Map<String, Object> report) {
        if (!(report.get("steps") instanceof List<?> steps) || !(report.get("run_dir") instanceof String dir)) {
            return;
        }
        try {
            var table = dev.minnow.hw.energy.EnergyTable.horowitz45nm();
            var hw = dev.minnow.hw.energy.EnergyTarget.cpu();
            List<dev.minnow.hw.energy.LayerWeights> base = null;
            Double before = null;
            Double after = null;
            for (Object o : steps) {
                if (!(o instanceof Map<?, ?> step) || !(step.get("file") instanceof String f)) {
                    continue;
                }
                Graph g = Models.load(Path.of(dir).resolve(f).toString(), 1);
                var layers = dev.minnow.hw.energy.LayerWeights.of(g);
                if (base == null) {
                    base = layers;
                }
                var c = dev.minnow.hw.energy.CompressionEnergy.compare(layers, base, hw, table, 1.0);
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) step;
                m.put("energy_pj", c.energy().totalPj());
                before = before == null ? c.baseline().totalPj() : before;
                after = c.energy().totalPj();
            }
            report.put("energy_pj_before", before);
            report.put("energy_pj_after", after);
            report.put("energy_model", "cpu target, " + table.name() + " (`minnow cost --steps DIR` splits it by level)");
        } catch (dev.minnow.errors.MinnowException | UnsupportedOperationException e) {
            report.put("energy_error", e.getMessage());
        }
    }

    private void writeReport(Map<String, Object> report) {
        addEnergy(report);
        Path json = out.resolve("report.json");
        try {
            AtomicFiles.write(json, Json.write(report).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + json, e);
        }
        dev.minnow.cli.report.ReportHtml.write(report, out.resolve("report.html"));
    }

    /** Same id, same model: the zoo name with its training, or the file with its checksum. */
    private String modelId(boolean zoo) {
        String base = zoo ? "zoo:" + model + " epochs=" + trainEpochs() + " seed=" + seed
                : "file:" + Path.of(model).toAbsolutePath().normalize() + " sha256=" + sha256(Path.of(model));
        return base + " dataset=" + dataset + " epochs-scale=" + epochsScale;
    }

    private static String sha256(Path p) {
        try (var in = Files.newInputStream(p)) {
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
            return java.util.HexFormat.of().formatHex(d.digest(), 0, 8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Training settings of the zoo models (docs/TRAINING.md): LeNets on MNIST 3 epochs with the zoo
     * rate; ResNets and the other CIFAR models the 30-epoch SGD recipe with augmentation.
     */
    private List<String> zooRecipe() {
        boolean small = model.startsWith("lenet");
        List<String> a = new ArrayList<>();
        if (!small) {
            a.addAll(List.of("--batch-size", "128", "--lr", "0.1", "--weight-decay", "5e-4", "--augment"));
        }
        return a;
    }

    private int trainEpochs() {
        if (trainEpochs != null) {
            return trainEpochs;
        }
        int written = model.startsWith("lenet") ? 3 : 30;
        return Math.max(1, (int) Math.round(written * epochsScale));
    }

    private Graph train(Preprocessing pre) {
        System.err.println("compress: training " + model + " on " + dataset + " for " + trainEpochs() + " epochs first");
        try {
            Path tmp = Files.createTempFile("minnow-train", ".onnx");
            try {
                List<String> args = new ArrayList<>(List.of("--model", model, "--dataset", dataset, "--epochs",
                        String.valueOf(trainEpochs()), "--seed", String.valueOf(seed), "--out", tmp.toString()));
                args.addAll(zooRecipe());
                if (dataDir != null) {
                    args.addAll(List.of("--data-dir", dataDir));
                }
                TrainCommand t = new TrainCommand();
                new CommandLine(t).parseArgs(args.toArray(String[]::new));
                t.common = common;
                TrainCommand.Run run = t.run();
                System.err.println("compress: trained, test top-1 " + Table.percent(((Number) run.json().get("test_top1")).doubleValue()));
                return Onnx.read(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the trained model", e);
        }
    }

    private int list() {
        List<Object> recipes = new ArrayList<>();
        StringBuilder h = new StringBuilder();
        for (String name : RecipeReader.BUILTINS) {
            Recipe r = RecipeReader.builtin(name);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            m.put("description", r.description());
            m.put("steps", r.steps().stream().map(StepSpec::describe).toList());
            List<String> missing = r.steps().stream().filter(s -> !registry().has(s.kind())).map(s -> s.kind().key)
                    .distinct().toList();
            m.put("runs_in_this_build", missing.isEmpty());
            recipes.add(m);
            h.append(r.name()).append(missing.isEmpty() ? "" : "   (needs " + String.join(", ", missing)
                    + ", not in this build yet)").append('\n');
            h.append("  ").append(r.description()).append('\n');
            r.steps().forEach(s -> h.append("    - ").append(s.describe()).append('\n'));
            h.append('\n');
        }
        h.append("A recipe file is YAML with name, description and steps; see docs/COMPRESS.md.\n");
        common.emit(Map.of("recipes", recipes), h.toString());
        return 0;
    }

    private static String summary(Map<String, Object> j) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> steps = (List<Map<String, Object>>) j.get("steps");
        Table t = new Table("step", "top-1", "size", "non-zero params", "MACs", "latency", "time", "file");
        for (Map<String, Object> s : steps) {
            Object lat = s.get("latency_ms");
            t.row(s.get("index") + " " + s.get("kind"), Table.percent(((Number) s.get("top1")).doubleValue()),
                    Table.count(((Number) s.get("size_bytes")).longValue()) + " B",
                    Table.count(((Number) s.get("nonzero_params")).longValue()), Table.count(((Number) s.get("macs")).longValue()),
                    lat == null ? "-" : String.format("%.3f ms", ((Number) lat).doubleValue()),
                    Progress.time(((Number) s.get("seconds")).doubleValue()), s.get("file"));
        }
        double before = ((Number) j.get("size_bytes_before")).doubleValue();
        double after = ((Number) j.get("size_bytes_after")).doubleValue();
        return t.render() + String.format("%n%s, recipe %s: top-1 %s -> %s, size %s -> %s bytes (%.1fx); report in %s%n",
                j.get("model"), j.get("recipe"), Table.percent(((Number) j.get("top1_before")).doubleValue()),
                Table.percent(((Number) j.get("top1_after")).doubleValue()), Table.count((long) before),
                Table.count((long) after), before / Math.max(1, after), Path.of((String) j.get("out")).getParent());
    }

    // ---- goal mode ----

    private record Goal(Map<String, Object> report, String human) {
    }

    private Goal goal(Supplier<Graph> input, DatasetSplit split, String id, Recipe r, RecipeRunner.Options options) {
        Path base = out.resolve("base.onnx");
        Path baseId = out.resolve("base.id");
        try {
            Files.createDirectories(out);
            Graph g;
            if (!restart && Files.isRegularFile(base) && Files.isRegularFile(baseId)
                    && Files.readString(baseId).equals(id)) {
                g = Onnx.read(base);
                System.err.println("compress: reusing " + base);
            } else {
                g = input.get();
                Onnx.write(g, base);
                AtomicFiles.write(baseId, id.getBytes(StandardCharsets.UTF_8));
            }
            double top1Before = ModelMeasures.top1(g, split.test(), split.normalization());
            long sizeBefore = ModelMeasures.sizeBytes(g, Map.of());
            GoalSearch.Goal goal = new GoalSearch.Goal(maxAccuracyDrop, targetSize == null ? null : sizeBytes(sizeBefore),
                    targetLatency);
            // trials fine-tune half as long: the search ranks amounts; the best trial's model is what is saved
            RecipeRunner.Options o1 = options.withEpochsScale(epochsScale * 0.5);
            // each trial folder resumes; --restart clears them all once here, not per trial
            RecipeRunner trialRunner = new RecipeRunner(registry(), new RecipeRunner.Options(o1.codec(), o1.tuning(),
                    o1.epochsScale(), o1.latencySeconds(), o1.progress(), false));
            Path trials = out.resolve("trials");
            if (restart && Files.isDirectory(trials)) {
                try (var walk = Files.walk(trials)) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            GoalSearch.Outcome o = spark != null ? onSpark(g, r, id, goal, top1Before, trials)
                    : GoalSearch.search(r, goal, top1Before, rounds, trials.toString(), new LocalJobRunner(1), job -> {
                Recipe tr = GoalSearch.withAmount(r, job.amount());
                System.err.printf("compress: trial %d: %s%n", job.index(), tr.steps().stream()
                        .filter(s -> s.kind() == dev.minnow.compress.recipe.StepKind.PRUNE).findFirst().orElseThrow().describe());
                RecipeRunner.Result res = trialRunner.run(tr, id, () -> g, split, Path.of(job.dir()));
                return new GoalSearch.Trial(job.index(), job.amount(), res.after().top1(), res.after().sizeBytes(),
                        res.after().latencyMs(), job.dir(), res.finalFile().toString(), null);
            });
            GoalSearch.Trial best = o.best();
            RecipeRunner.Result bestRun = trialRunner.run(GoalSearch.withAmount(r, best.amount()), id, () -> g, split,
                    Path.of(best.dir()));
            String file = bestRun.finalFile().getFileName().toString();
            Path saved = out.resolve("best" + file.substring(file.lastIndexOf('.')));
            Files.copy(bestRun.finalFile(), saved, StandardCopyOption.REPLACE_EXISTING);
            Map<String, Object> j = CompressReport.of(bestRun, model, dataset);
            j.put("out", saved.toString());
            List<Object> points = new ArrayList<>();
            points.add(CompressReport.trial("before", bestRun.before()));
            for (GoalSearch.Trial t : o.trials()) {
                if (t.error() == null) {
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("label", t.label());
                    p.put("top1", t.top1());
                    p.put("size_bytes", t.sizeBytes());
                    p.put("latency_ms", t.latencyMs());
                    p.put("amount", t.amount());
                    points.add(p);
                }
            }
            j.put("trials", points);
            Map<String, Object> gm = new LinkedHashMap<>();
            gm.put("max_accuracy_drop", maxAccuracyDrop);
            gm.put("target_size_bytes", goal.targetSizeBytes());
            gm.put("target_latency_ms", goal.targetLatencyMs());
            gm.put("top1_floor", o.top1Floor());
            gm.put("searched", "prune " + o.amountSetting());
            gm.put("best_amount", best.amount());
            gm.put("trial_errors", o.trials().stream().filter(t -> t.error() != null)
                    .map(t -> (Object) (t.label() + ": " + t.error())).toList());
            j.put("goal", gm);
            j.put("goal_met", o.goalMet());
            String metric = goal.targetSizeBytes() != null
                    ? String.format("%,d bytes (target %,d)", best.sizeBytes(), goal.targetSizeBytes())
                    : String.format("%.3f ms (target %.3f)", best.latencyMs(), goal.targetLatencyMs());
            String verdict = o.goalMet() ? "goal met" : o.withinBudget()
                    ? "goal NOT met: the smallest model within the accuracy budget is still above the target"
                    : "goal NOT met: no trial stayed within the accuracy budget; the most accurate one is saved";
            String human = String.format("%s%n%s: %s at %s=%.4f: top-1 %s (floor %s), %s; saved to %s (%d trials in %s)%n",
                    summary(j), verdict, model, o.amountSetting(), best.amount(), Table.percent(best.top1()),
                    Table.percent(o.top1Floor()), metric, saved, o.trials().size(), trials);
            System.err.println("compress: " + verdict);
            return new Goal(j, human);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write in " + out, e);
        }
    }

    /** The search with each trial a Spark task; the trial folders are absolute so executors on this machine share them. */
    private GoalSearch.Outcome onSpark(Graph g, Recipe r, String id, GoalSearch.Goal goal, double top1Before, Path trials)
            throws IOException {
        Path file = Path.of(recipe);
        String text = RecipeReader.BUILTINS.contains(recipe) || !Files.isRegularFile(file) ? null : Files.readString(file);
        GoalTrials.Setup s = new GoalTrials.Setup(Onnx.toBytes(g), dataset, dataDir, recipe, text, id, seed, epochsScale,
                latencySeconds, common.json);
        try (JobRunner jobs = JobRunnerProvider.open("spark", spark)) {
            System.err.println("compress: trials on " + jobs.describe() + ", " + jobs.parallelism() + " at a time");
            return GoalSearch.search(r, goal, top1Before, rounds, trials.toAbsolutePath().toString(), jobs, s,
                    new GoalTrials());
        }
    }

    /** --target-size as bytes: "30x" a ratio, a fraction below 1 of the size before, else bytes. */
    private long sizeBytes(long before) {
        String s = targetSize.trim();
        try {
            if (s.endsWith("x")) {
                double ratio = Double.parseDouble(s.substring(0, s.length() - 1));
                if (ratio >= 1) {
                    return (long) (before / ratio);
                }
            } else {
                double v = Double.parseDouble(s);
                if (v > 0 && v < 1) {
                    return (long) (before * v);
                }
                if (v >= 1 && v == Math.rint(v)) {
                    return (long) v;
                }
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new InvalidInputException("--target-size takes bytes (100000), a ratio (30x) or a fraction of the size"
                + " before (0.05), got '" + targetSize + "'");
    }
}
