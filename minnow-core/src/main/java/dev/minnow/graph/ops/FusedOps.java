package dev.minnow.graph.ops;

import dev.minnow.graph.OpProvider;
import dev.minnow.graph.OpRegistry;

/**
 * Minnow's own fused ops (domain {@value #DOMAIN}), made by the inference activation-fusion pass.
 * Registered under their type names until the registry is keyed by (domain, type).
 */
public final class FusedOps implements OpProvider {
    /** The domain of Minnow's own nodes. */
    public static final String DOMAIN = "dev.minnow";

    @Override
    public void register(OpRegistry r) {
        r.register(FusedConvOp.TYPE, FusedConvOp::new);
        r.register(FusedAddOp.TYPE, FusedAddOp::new);
    }
}
