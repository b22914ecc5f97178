package dev.minnow.train;

import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import java.util.Set;

/**
 * What training minimizes, over any named values of the student (outputs and tapped
 * intermediates) and of an optional teacher run in the same loop: logits distillation, hint
 * losses on intermediate activations, reconstruction errors. Made by {@link Objectives}; a
 * plain {@link Loss} is {@link Objectives#loss(Loss)}.
 */
public interface Objective {
    /** Intermediate student values to tap (graph outputs are always available). */
    default Set<String> studentValues() {
        return Set.of();
    }

    /** Intermediate teacher values to tap. */
    default Set<String> teacherValues() {
        return Set.of();
    }

    /**
     * Adds nodes that exist only for training (an adapter) to the student's training graph, a
     * copy that shares the student's weight tensors; the exported graph never has them. Called
     * once before training. {@code teacher} is null without a teacher graph.
     */
    default void extend(GraphEditor trainingGraph, Graph teacher, long seed) {
    }

    /** The loss and its gradient for each value it reads (values not listed get none). */
    ObjectiveValue compute(ObjectiveInputs inputs);

    String describe();
}
