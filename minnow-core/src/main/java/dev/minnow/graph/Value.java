package dev.minnow.graph;

/** A named value of a graph with its type: a graph input or output, or a node output during building. */
public record Value(String name, TensorType type) {
}
