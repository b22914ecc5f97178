package dev.minnow.compress.recipe;

import dev.minnow.compress.prune.FineTuning;
import dev.minnow.compress.quant.CalibrationBatches;
import dev.minnow.compress.quant.qat.QatConfig;
import dev.minnow.compress.quant.qat.QatExport;
import dev.minnow.compress.quant.qat.QatTraining;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** qat: quantization-aware training exported as ONNX QDQ, as `minnow qat` does it. */
final class QatStep implements Step {
    @Override
    public StepOutput run(StepSpec spec, ModelState in, StepContext ctx) {
        QatConfig config = new QatConfig(spec.integer("weight-bits", 8), spec.integer("act-bits", 8),
                QatConfig.Method.valueOf(spec.text("method", "lsq").toUpperCase(Locale.ROOT)), QatConfig.WeightMode.UNIFORM);
        int epochs = ctx.epochs(spec.integer("epochs", 1));
        double lr = spec.has("lr") ? spec.number("lr") : dev.minnow.compress.quant.qat.QatTraining.defaultRate(in.graph());
        var tuning = ctx.tuning();
        QatTraining training = new QatTraining(config, epochs, lr, tuning.weightDecay(), tuning.batchSize(),
                tuning.augment(), tuning.seed() + ctx.index() * 1000L);
        QatExport.Exported e = training.run(in.graph().copy(), CalibrationBatches.of(ctx.split(), 4 * 32, 32, -1),
                ctx.split(), tuning.listener() == null ? null : tuning.listener().get());
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("config", config.describe());
        d.put("epochs", epochs);
        d.put("lr", lr);
        d.put("layers", e.layers().size());
        return new StepOutput(new ModelState(e.graph(), dev.minnow.train.MaskConstraint.of(Map.of()), Map.of()), d, null,
                e.sizeBytes());
    }
}
