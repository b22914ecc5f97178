package dev.minnow.graph.ops;

import dev.minnow.graph.OpProvider;
import dev.minnow.graph.OpRegistry;

/**
 * Ops outside the ONNX standard: Minnow's own domain (dev.minnow), which round-trips through
 * Minnow's ONNX reader and writer, and the ONNX Runtime contrib ops Minnow implements
 * (com.microsoft). docs/ONNX.md says what ONNX Runtime can run.
 */
public final class MinnowOps implements OpProvider {
    @Override
    public void register(OpRegistry r) {
        r.register(OpRegistry.MINNOW_DOMAIN, FakeQuantize.TYPE, FakeQuantize::new);
        r.register(OpRegistry.MICROSOFT_DOMAIN, "QLinearGlobalAveragePool", QLinearGlobalAveragePoolOp::new);
    }
}
