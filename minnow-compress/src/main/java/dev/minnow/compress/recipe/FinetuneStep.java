package dev.minnow.compress.recipe;

import dev.minnow.graph.Graph;
import java.util.LinkedHashMap;
import java.util.Map;

/** finetune: trains a copy of the model with the run's fine-tuning setup, holding earlier masks. */
final class FinetuneStep implements Step {
    @Override
    public StepOutput run(StepSpec spec, ModelState in, StepContext ctx) {
        var tuning = ctx.tuning();
        if (spec.has("lr")) {
            tuning = tuning.withLr(spec.number("lr"));
        }
        if (spec.has("batch-size")) {
            tuning = tuning.withBatchSize(spec.integer("batch-size", tuning.batchSize()));
        }
        if (spec.has("augment")) {
            tuning = tuning.withAugment(spec.flag("augment", false));
        }
        int epochs = ctx.epochs(spec.integer("epochs", 1));
        Graph g = in.graph().copy();
        tuning.run(g, in.masks(), epochs, ctx.split(), ctx.index() * 1000);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("epochs", epochs);
        d.put("lr", tuning.lr() != null ? tuning.lr() : dev.minnow.compress.prune.FineTuning.defaultRate(g));
        d.put("masks_held", in.masks().masks().size());
        return StepOutput.of(in.withGraph(g), d);
    }
}
