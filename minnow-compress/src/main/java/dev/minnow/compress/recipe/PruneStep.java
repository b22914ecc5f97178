package dev.minnow.compress.recipe;

import dev.minnow.compress.prune.ChannelPruner;
import dev.minnow.compress.prune.Importance;
import dev.minnow.compress.prune.PruneRun;
import dev.minnow.compress.prune.Reconstruction;
import dev.minnow.compress.prune.Taylor;
import dev.minnow.graph.Graph;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.train.MaskConstraint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * prune: {@link PruneRun} with the step's settings (the defaults of `minnow prune`), fine-tuned
 * by the run's {@link dev.minnow.compress.prune.FineTuning}. Fine-grained pruning hands its masks
 * on (a later finetune holds them); channel pruning gives a smaller dense graph and no masks.
 */
final class PruneStep implements Step {
    /** Taylor importance sums the gradients of this many training batches (as `minnow prune`). */
    private static final int TAYLOR_BATCHES = 16;
    /** Reconstruction importance samples the next layers' outputs over this many batches (as `minnow prune`). */
    private static final int RECONSTRUCTION_BATCHES = 10;

    @Override
    public StepOutput run(StepSpec spec, ModelState in, StepContext ctx) {
        String method = spec.text("method", "magnitude");
        String granularity = spec.text("granularity", "weight");
        if (method.equals("taylor") && !granularity.equals("channel")) {
            throw spec.error(ctx.source(), "method taylor scores channels: use it with granularity channel");
        }
        if (method.equals("reconstruction") && !granularity.equals("channel")) {
            throw spec.error(ctx.source(), "method reconstruction scores channels: use it with granularity channel");
        }
        PruneRun.Settings s = new PruneRun.Settings(granularity, method, spec.number("sparsity"),
                spec.number("target-macs"), spec.number("target-params"), spec.text("schedule", "oneshot"),
                spec.integer("steps", 3), spec.integer("round-to", 16), spec.text("scope", "global").equals("global"),
                groups(spec));
        int epochs = ctx.epochs(spec.integer("finetune-epochs", 1));
        var tuning = spec.has("lr") ? ctx.tuning().withLr(spec.number("lr")) : ctx.tuning();
        Function<Graph, Importance> importance = method.equals("taylor")
                ? g -> Taylor.importance(Taylor.gradients(g, ctx.split().train(), ctx.split().normalization(),
                        TAYLOR_BATCHES, tuning.batchSize(), tuning.seed()))
                : method.equals("reconstruction")
                ? g -> Reconstruction.sample(g, ctx.split().train(), ctx.split().normalization(), RECONSTRUCTION_BATCHES,
                        tuning.batchSize(), Reconstruction.DEFAULT_POSITIONS, tuning.seed())
                : g -> ChannelPruner.importance(method.equals("magnitude") ? "l1" : method);
        PruneRun.Result r = PruneRun.run(in.graph(), s, tuning.forPruning(epochs, ctx.split()), null, importance);
        boolean channel = granularity.equals("channel");
        // channel pruning reshapes weights, so masks and bit widths of the old shapes no longer apply
        MaskConstraint masks = channel ? MaskConstraint.of(Map.of()) : r.masks();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("finetune_epochs_per_step", epochs);
        d.put("prune_steps", r.steps().stream().map(st -> (Object) Map.of("step", st.step(), "sparsity",
                st.targetSparsity(), "nonzero_params", st.nonZeroParams(), "macs", st.macs())).toList());
        d.put("pass_records", passRecords(r.records()));
        d.put("masked_weights", masks.masks().keySet().stream().sorted().toList());
        return StepOutput.of(new ModelState(r.graph(), masks, channel ? Map.of() : in.weightBits()), d);
    }

    /** The step's {@code groups} setting (channel group pattern to fraction), or none. */
    @SuppressWarnings("unchecked")
    private static Map<String, Double> groups(StepSpec spec) {
        Object g = spec.settings().get("groups");
        return g == null ? Map.of() : (Map<String, Double>) g;
    }

    static List<Object> passRecords(List<PassRecord> records) {
        return records.stream().map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pass", p.pass());
            m.put("settings", p.settings());
            m.put("counts", p.counts());
            m.put("changes", p.changes().size() > 20 ? p.changes().subList(0, 20) : p.changes());
            return (Object) m;
        }).toList();
    }
}
