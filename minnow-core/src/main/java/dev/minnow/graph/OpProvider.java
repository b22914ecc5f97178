package dev.minnow.graph;

/** A group of ops that registers its factories with the registry. */
public interface OpProvider {
    void register(OpRegistry registry);
}
