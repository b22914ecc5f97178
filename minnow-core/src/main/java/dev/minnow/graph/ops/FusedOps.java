package dev.minnow.graph.ops;

import dev.minnow.graph.OpProvider;
import dev.minnow.graph.OpRegistry;

/**
 * Minnow's own fused ops (domain {@value #DOMAIN}), made by the inference activation-fusion pass.
 */
public final class FusedOps implements OpProvider {
    /** The domain of Minnow's own nodes. */
    public static final String DOMAIN = OpRegistry.MINNOW_DOMAIN;

    @Override
    public void register(OpRegistry r) {
        r.register(DOMAIN, FusedConvOp.TYPE, FusedConvOp::new);
        r.register(DOMAIN, FusedAddOp.TYPE, FusedAddOp::new);
    }
}
