package dev.minnow.compress.recipe;

import dev.minnow.compress.cluster.CentroidInit;
import dev.minnow.compress.cluster.ClusterRun;
import dev.minnow.compress.prune.FineTuning;
import dev.minnow.graph.Graph;
import dev.minnow.train.Losses;
import dev.minnow.train.LrSchedule;
import dev.minnow.train.Optimizers;
import dev.minnow.train.TrainListener;
import dev.minnow.train.Trainer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * cluster: k-means weight sharing (Deep Compression's trained quantization) with centroid
 * fine-tuning, as `minnow cluster` does it; pruned weights stay zero. Clustered weights count
 * at their index bits in the run's sizes (the encode step then stores codebook + indices).
 */
final class ClusterStep implements Step {
    @Override
    public StepOutput run(StepSpec spec, ModelState in, StepContext ctx) {
        ClusterRun.Settings s = new ClusterRun.Settings(spec.integer("bits-conv", 8), spec.integer("bits-fc", 6),
                CentroidInit.parse(spec.text("init", "linear")), ctx.tuning().seed(), 100);
        ClusterRun.Result r = ClusterRun.run(in.graph().copy(), s);
        Graph c = r.graph();
        int epochs = ctx.epochs(spec.integer("finetune-epochs", 1));
        double rate = spec.has("lr") ? spec.number("lr") : FineTuning.defaultRate(c) / ClusterRun.FINE_TUNE_RATE_DIVISOR;
        if (epochs > 0) {
            Trainer t = Trainer.of(c).constraint(r.sharing()).epochs(epochs).batchSize(ctx.tuning().batchSize())
                    .seed(ctx.tuning().seed() + ctx.index() * 1000L).optimizer(Optimizers.momentum(rate, 0.9, true))
                    .loss(Losses.crossEntropy()).schedule(LrSchedule.cosine(0)).maxLoss(1e3);
            TrainListener l = ctx.tuning().listener() == null ? null : ctx.tuning().listener().get();
            if (l != null) {
                t.listener(l);
            }
            t.fit(ctx.split());
        }
        Map<String, Integer> bits = new HashMap<>(in.weightBits());
        List<Map<String, Object>> layers = new java.util.ArrayList<>();
        for (ClusterRun.Layer l : r.layers()) {
            bits.put(l.weight(), l.bits());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("weight", l.weight());
            row.put("node", l.node());
            row.put("bits", l.bits());
            row.put("clusters", l.clusters());
            row.put("distinct_values", ClusterRun.distinctNonZeros(c.initializers().get(l.weight())));
            layers.add(row);
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("epochs", epochs);
        d.put("lr", rate);
        d.put("layers", layers);
        return StepOutput.of(new ModelState(c, in.masks(), bits), d);
    }
}
