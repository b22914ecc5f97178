package dev.minnow.graph.ops.detection;

import dev.minnow.graph.OpProvider;
import dev.minnow.graph.OpRegistry;

/** Object-detection ops: NonMaxSuppression and RoiAlign. */
public final class DetectionOps implements OpProvider {
    @Override
    public void register(OpRegistry r) {
        r.register("NonMaxSuppression", NonMaxSuppression::new);
        r.register("RoiAlign", RoiAlign::new);
    }
}
