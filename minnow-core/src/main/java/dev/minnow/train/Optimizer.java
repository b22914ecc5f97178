package dev.minnow.train;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Updates parameters in place from their gradients. The shared part lives here: L2 weight
 * decay (added to the gradient; AdamW decouples it instead), an L1 penalty (l1 * sign(w)
 * added to the gradient), per-parameter learning-rate and decay multipliers
 * ({@link ParameterGroup}), and the per-parameter state slots that checkpoints save.
 * Subclasses write only their update rule. Masks are a {@link MaskConstraint}; {@link #masks(Map)}
 * remains as a shorthand that applies one around every step.
 * Made by {@link Optimizers}; settings are fluent: {@code Optimizers.adam(1e-3).weightDecay(5e-4)}.
 */
public abstract class Optimizer {
    private final double learningRate;
    private double weightDecay;
    private double l1;
    private MaskConstraint masks;
    /** Weight decay of the parameter being updated (the group's multiplier applied). */
    private double parameterDecay;
    /** State slots by "parameter/slot", e.g. "fc1.w/m". */
    private final Map<String, float[]> slots = new LinkedHashMap<>();
    private long steps;

    protected Optimizer(double learningRate) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new InvalidInputException("learning rate must be a positive number, got " + learningRate);
        }
        this.learningRate = learningRate;
    }

    /** The base learning rate that an {@link LrSchedule} scales. */
    public double learningRate() {
        return learningRate;
    }

    /** L2 penalty: adds decay * w to each gradient (decoupled from the gradient for AdamW). */
    public Optimizer weightDecay(double decay) {
        this.weightDecay = nonNegative("weight decay", decay);
        return this;
    }

    /** L1 penalty: adds l1 * sign(w) to each gradient (drives weights towards zero). */
    public Optimizer l1(double strength) {
        this.l1 = nonNegative("L1 strength", strength);
        return this;
    }

    public double weightDecay() {
        return weightDecay;
    }

    public double l1() {
        return l1;
    }

    /**
     * 0/1 masks by parameter name; replaces earlier masks. Masked weights stay exactly zero.
     * Shorthand for a {@link MaskConstraint} applied around every step of this optimizer; new
     * code passes the constraint to {@link Trainer#constraint} instead.
     */
    public Optimizer masks(Map<String, Tensor> masksByParameter) {
        masks = masksByParameter.isEmpty() ? null : MaskConstraint.of(masksByParameter);
        return this;
    }

    public Map<String, Tensor> masks() {
        return masks == null ? Map.of() : masks.masks();
    }

    /** Number of steps taken (1 after the first step). */
    public long steps() {
        return steps;
    }

    /**
     * One update of every parameter that has a gradient, at learning rate lr (the schedule's value).
     * Parameters are updated in place.
     */
    public final void step(Map<String, Tensor> parameters, Map<String, Tensor> gradients, double lr) {
        step(parameters, gradients, lr, name -> ParameterGroup.Scales.ONE);
    }

    /**
     * One update with per-parameter multipliers: parameter p steps at lr * scales(p).lr() with
     * weight decay and L1 multiplied by scales(p).decay(). A multiplier of 0 leaves p unchanged.
     */
    public final void step(Map<String, Tensor> parameters, Map<String, Tensor> gradients, double lr,
                           java.util.function.Function<String, ParameterGroup.Scales> scales) {
        if (masks != null) {
            masks.beforeStep(parameters, gradients, steps);
        }
        steps++;
        for (Map.Entry<String, Tensor> e : gradients.entrySet()) {
            String name = e.getKey();
            Tensor param = parameters.get(name);
            if (param == null) {
                throw new InvalidInputException("gradient for '" + name + "', which is not a parameter");
            }
            float[] w = param.floats();
            float[] src = e.getValue().floats();
            ParameterGroup.Scales s = scales.apply(name);
            double decay = weightDecay * s.decay();
            double l1p = l1 * s.decay();
            float[] g = new float[w.length];
            boolean coupled = !decoupledWeightDecay();
            for (int i = 0; i < w.length; i++) {
                double gi = src[i];
                if (coupled) {
                    gi += decay * w[i];
                }
                gi += l1p * Math.signum(w[i]);
                g[i] = (float) gi;
            }
            parameterDecay = decay;
            update(name, w, g, lr * s.lr(), steps);
        }
        if (masks != null) {
            masks.afterStep(parameters, steps);
        }
    }

    /**
     * The update rule for one parameter: w -= f(g, state). g already holds weight decay and L1
     * (coupled); t is the 1-based step count (for bias correction).
     */
    protected abstract void update(String name, float[] w, float[] g, double lr, long t);

    /** The weight decay of the parameter being updated, for optimizers that decouple it (AdamW). */
    protected final double parameterWeightDecay() {
        return parameterDecay;
    }

    /** AdamW-style optimizers apply weight decay to the weights directly, not via the gradient. */
    protected boolean decoupledWeightDecay() {
        return false;
    }

    /** The state slot of one parameter, zero-initialized on first use. */
    protected final float[] slot(String parameter, String slot, int length) {
        return slots.computeIfAbsent(parameter + "/" + slot, k -> new float[length]);
    }

    /** Short description with hyper-parameters, for settings strings and checkpoints. */
    public abstract String describe();

    protected final String penalties() {
        return (weightDecay != 0 ? ", weight_decay=" + weightDecay : "") + (l1 != 0 ? ", l1=" + l1 : "");
    }

    /** A copy of the state (slots by "parameter/slot" as float32, and "#steps" as an int64 scalar), for checkpoints. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> r = new LinkedHashMap<>();
        r.put("#steps", Tensor.ofLongs(Shape.scalar(), steps));
        slots.forEach((k, v) -> r.put(k, Tensor.of(Shape.of(v.length), v.clone())));
        return r;
    }

    /** Restores what {@link #state()} returned (from a checkpoint of the same optimizer kind). */
    public void loadState(Map<String, Tensor> state) {
        slots.clear();
        steps = 0;
        state.forEach((k, v) -> {
            if (k.equals("#steps")) {
                steps = v.getLong(0);
            } else if (v.dtype() == DType.FLOAT32) {
                slots.put(k, v.floats().clone());
            } else {
                throw new InvalidInputException("optimizer state '" + k + "' is " + v.dtype().label + ", expected float32");
            }
        });
    }

    private static double nonNegative(String what, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new InvalidInputException(what + " must be zero or positive, got " + v);
        }
        return v;
    }
}
