package dev.minnow.compress.prune;

import java.util.List;

/**
 * One prunable unit: slots of several values that stand or fall together (channel 5 of a
 * residual stream is channel 5 of every conv output, BN and Add on it), with the parameter
 * slices bound to them. {@code blockedBy} says why it cannot be removed, or is null.
 */
public record ChannelClass(int root, List<ChannelDependencies.Slot> slots, List<ChannelDependencies.Binding> bindings,
                           String blockedBy) {
    public ChannelClass {
        slots = List.copyOf(slots);
        bindings = List.copyOf(bindings);
    }

    public boolean removable() {
        return blockedBy == null;
    }
}
