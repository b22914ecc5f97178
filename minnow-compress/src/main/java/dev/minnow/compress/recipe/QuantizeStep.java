package dev.minnow.compress.recipe;

import dev.minnow.compress.quant.CalibrationBatches;
import dev.minnow.compress.quant.PostTrainingQuantizer;
import dev.minnow.compress.quant.QuantScheme;
import dev.minnow.compress.quant.QuantizedWeights;
import dev.minnow.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * quantize: post-training static quantization into an ONNX QDQ graph, as `minnow quantize` does
 * it (optional cross-layer equalization, AdaRound, bias correction first). The model's size is
 * the QDQ graph's initializers with weight codes counted at their bits.
 */
final class QuantizeStep implements Step {
    @Override
    public StepOutput run(StepSpec spec, ModelState in, StepContext ctx) {
        QuantScheme w = QuantScheme.weights(spec.integer("weight-bits", 8)).withPerChannel(spec.flag("per-channel", true));
        QuantScheme a = QuantScheme.activations(spec.integer("act-bits", 8));
        String method = spec.text("method", "entropy");
        PostTrainingQuantizer.Settings settings = new PostTrainingQuantizer.Settings(method, w, a, false, "minmax");
        List<Tensor> calib = CalibrationBatches.of(ctx.split(), spec.integer("calib-samples", 512), 32, ctx.tuning().seed());
        QuantizedWeights prepared = PostTrainingQuantizer.prepare(in.graph().copy(), calib, w,
                new PostTrainingQuantizer.Preparation(spec.flag("cle", false), spec.flag("adaround", false), 1000,
                        spec.flag("bias-correction", false), ctx.tuning().seed()));
        PostTrainingQuantizer.Result r = PostTrainingQuantizer.quantize(prepared.graph(), calib, settings,
                prepared.weightParams(), g -> g, null);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("method", method);
        d.put("weight_bits", w.bits());
        d.put("act_bits", a.bits());
        d.put("per_channel", w.perChannel());
        d.put("calib_samples", calib.stream().mapToLong(t -> t.shape().dim(0)).sum());
        d.put("float_ops", r.floatNodes());
        // pruning masks do not survive the rewrite into integer codes: later steps see a QDQ graph
        return new StepOutput(new ModelState(r.graph(), dev.minnow.train.MaskConstraint.of(Map.of()), Map.of()), d, null,
                r.sizeBytesAfter());
    }
}
