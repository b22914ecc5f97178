package dev.minnow.compress.prune;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Values whose channels are tied to each other, and their channels as classes. A plain conv's
 * group is its output through BN and ReLU up to the next conv; a residual stage's group is the
 * whole stream with every conv that writes into it.
 */
public record ChannelGroup(int id, List<ChannelClass> classes) {
    public ChannelGroup {
        classes = List.copyOf(classes);
    }

    /** The values in the group, in graph order of first appearance. */
    public Set<String> values() {
        Set<String> r = new LinkedHashSet<>();
        classes.forEach(c -> c.slots().forEach(s -> r.add(s.value())));
        return r;
    }

    /** Nodes whose weights make the group's channels (convolution or Gemm outputs). */
    public Set<String> sourceNodes() {
        Set<String> r = new LinkedHashSet<>();
        classes.forEach(c -> c.bindings().stream().filter(ChannelDependencies.Binding::source)
                .forEach(b -> r.add(b.node().name())));
        return r;
    }

    /** Whether any class can be removed. */
    public boolean prunable() {
        return classes.stream().anyMatch(ChannelClass::removable);
    }

    /** Why no class can be removed (the first reason), or null when some can. */
    public String blockedBy() {
        return prunable() ? null : classes.get(0).blockedBy();
    }

    /** Number of channels a value of the group carries per class (the widest value's count). */
    public int size() {
        return classes.size();
    }

    /** A short name: the first source node, else the first value. */
    public String name() {
        Set<String> s = sourceNodes();
        return s.isEmpty() ? values().iterator().next() : String.join("+", s);
    }
}
