package dev.minnow.compress.quant;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.Function;

/**
 * Runs calibration batches through a float graph and feeds one observer per activation value
 * that will be quantized, through the executor's {@link dev.minnow.infer.ValueObserver} seam
 * (an observed executor runs the graph as written, so every value is seen by its own name).
 */
public final class Calibration {
    private Calibration() {
    }

    /**
     * Observes values over batches (each the model's one input, already preprocessed); observers
     * gives a fresh observer for each value's name.
     *
     * @param progress told the number of samples done after each batch (may be null)
     * @return one observer per value, in the order given
     */
    public static Map<String, Observer> run(Graph g, Collection<String> values, Function<String, Observer> observers,
            Iterable<Tensor> batches, IntConsumer progress) {
        if (g.inputs().size() != 1) {
            throw new InvalidInputException("calibration feeds one image input, but the model '" + g.name() + "' has "
                    + g.inputs().size() + " inputs");
        }
        Map<String, Observer> obs = new LinkedHashMap<>();
        for (String v : values) {
            obs.put(v, observers.apply(v));
        }
        Value input = g.inputs().getFirst();
        InferenceExecutor ex = InferenceExecutor.of(g, ExecutionOptions.builder().observer((name, node, t) -> {
            Observer o = obs.get(name);
            if (o != null) {
                o.observe(t);
            }
        }).build());
        int samples = 0;
        for (Tensor batch : batches) {
            for (Tensor part : fit(input, batch)) {
                Observer in = obs.get(input.name());
                if (in != null) {
                    in.observe(part);
                }
                ex.run(Map.of(input.name(), part));
            }
            samples += batch.shape().dim(0);
            if (progress != null) {
                progress.accept(samples);
            }
        }
        if (samples == 0) {
            throw new InvalidInputException("the calibration set is empty; give at least one sample (--calib-samples)");
        }
        for (Map.Entry<String, Observer> e : obs.entrySet()) {
            if (e.getValue().isEmpty()) {
                throw new InvalidInputException("calibration never saw the value '" + e.getKey() + "' of model '"
                        + g.name() + "'; the graph does not compute it for this input");
            }
        }
        return obs;
    }

    /** The batch split into pieces the input accepts (a model exported for batch 1 takes one image at a time). */
    private static List<Tensor> fit(Value input, Tensor batch) {
        Shape want = input.type().shape();
        Shape got = batch.shape();
        boolean ok = want.rank() == got.rank();
        for (int d = 1; ok && d < want.rank(); d++) {
            ok = want.dim(d) < 0 || want.dim(d) == got.dim(d);
        }
        if (!ok) {
            throw new InvalidInputException("the calibration samples have shape " + got + " but the model's input '"
                    + input.name() + "' takes " + want + "; pick the dataset the model was trained on, or give the "
                    + "preprocessing options (--resize, --layout) that make the samples fit");
        }
        int fixed = want.rank() > 0 ? want.dim(0) : -1;
        if (fixed <= 0 || fixed == got.dim(0)) {
            return List.of(batch);
        }
        if (fixed != 1) {
            throw new InvalidInputException("the model's input '" + input.name() + "' takes batches of exactly " + fixed
                    + "; export it with a dynamic or unit batch dimension");
        }
        List<Tensor> parts = new ArrayList<>();
        int per = (int) (got.size() / got.dim(0));
        int[] dims = got.dims().clone();
        dims[0] = 1;
        for (int i = 0; i < got.dim(0); i++) {
            float[] one = new float[per];
            System.arraycopy(batch.floats(), i * per, one, 0, per);
            parts.add(Tensor.of(Shape.of(dims), one));
        }
        return parts;
    }
}
