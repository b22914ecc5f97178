package dev.minnow.train;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.ParameterRoles;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Parameters that share learning-rate and weight-decay multipliers (applied to the
 * optimizer's scheduled rate and its decay and L1 strengths). On a {@link Trainer} the first
 * group that selects a parameter wins; parameters in no group keep multipliers 1 and 1.
 * <pre>
 * Trainer.of(g).group(ParameterGroup.normsAndScales())                  // no decay on BN, clip values
 *              .group(ParameterGroup.named("head", "fc2.weight", "fc2.bias").lrScale(10));
 * </pre>
 */
public record ParameterGroup(String name, Selector selector, double lrScale, double decayScale) {
    /** Whether a parameter of the (training) graph belongs to the group. */
    @FunctionalInterface
    public interface Selector {
        boolean test(Graph graph, String parameter);
    }

    public ParameterGroup {
        nonNegative("learning-rate multiplier", lrScale);
        nonNegative("weight-decay multiplier", decayScale);
    }

    /** A group selected by parameter name, with multipliers 1 and 1. */
    public static ParameterGroup of(String name, Predicate<String> byName) {
        return new ParameterGroup(name, (g, p) -> byName.test(p), 1, 1);
    }

    /** A group of the listed parameters. */
    public static ParameterGroup named(String name, String... parameters) {
        Set<String> set = Set.of(parameters);
        return of(name, set::contains);
    }

    /** Normalization scales and biases and single-element parameters (clip values, steps), without weight decay. */
    public static ParameterGroup normsAndScales() {
        return new ParameterGroup("norms-and-scales", ParameterRoles::isNormOrScale, 1, 0);
    }

    public ParameterGroup lrScale(double scale) {
        return new ParameterGroup(name, selector, scale, decayScale);
    }

    public ParameterGroup decayScale(double scale) {
        return new ParameterGroup(name, selector, lrScale, scale);
    }

    /** The multipliers of one parameter, as the optimizer applies them. */
    public record Scales(double lr, double decay) {
        public static final Scales ONE = new Scales(1, 1);
    }

    private static void nonNegative(String what, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new InvalidInputException(what + " must be zero or positive, got " + v);
        }
    }
}
