package dev.minnow.compress.recipe;

import dev.minnow.errors.InvalidInputException;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Which {@link Step} runs each {@link StepKind}. {@link #standard()} has them all; {@link #with}
 * replaces one (tests, or a build with its own step). Immutable: with returns a new registry.
 */
public final class StepRegistry {
    private final Map<StepKind, Step> steps;

    private StepRegistry(Map<StepKind, Step> steps) {
        this.steps = steps;
    }

    /** Every step kind: sensitivity, prune, finetune, distill, quantize, qat, cluster, encode, export. */
    public static StepRegistry standard() {
        Map<StepKind, Step> m = new EnumMap<>(StepKind.class);
        m.put(StepKind.SENSITIVITY, new SensitivityStep());
        m.put(StepKind.PRUNE, new PruneStep());
        m.put(StepKind.FINETUNE, new FinetuneStep());
        m.put(StepKind.ENCODE, new EncodeStep());
        m.put(StepKind.EXPORT, new ExportStep());
        m.put(StepKind.QUANTIZE, new QuantizeStep());
        m.put(StepKind.QAT, new QatStep());
        m.put(StepKind.CLUSTER, new ClusterStep());
        m.put(StepKind.DISTILL, new DistillStep());
        return new StepRegistry(m);
    }

    public StepRegistry with(StepKind kind, Step step) {
        Map<StepKind, Step> m = new EnumMap<>(steps);
        m.put(kind, step);
        return new StepRegistry(m);
    }

    /** This registry less one kind (a build that leaves a step out; tests of the up-front check). */
    public StepRegistry without(StepKind kind) {
        Map<StepKind, Step> m = new EnumMap<>(steps);
        m.remove(kind);
        return new StepRegistry(m);
    }

    public boolean has(StepKind kind) {
        return steps.containsKey(kind);
    }

    public Step get(StepKind kind) {
        Step s = steps.get(kind);
        if (s == null) {
            throw new InvalidInputException("no implementation of step " + kind.key);
        }
        return s;
    }

    /** Fails before anything runs when a step of the recipe has no implementation here. */
    public void check(Recipe recipe) {
        for (StepSpec s : recipe.steps()) {
            if (!steps.containsKey(s.kind())) {
                throw s.error(recipe.source(), "this build of Minnow cannot run " + s.kind().key + " steps yet (it runs "
                        + steps.keySet().stream().map(k -> k.key).collect(Collectors.joining(", "))
                        + "); remove the step or use a recipe without it");
            }
        }
    }
}
