package dev.minnow.zoo;

import dev.minnow.graph.Value;

/** Conv + batch norm (+ activation) units that most zoo models repeat. Convs before BN have no bias. */
final class Blocks {
    private Blocks() {
    }

    static Value convBn(GraphBuilder b, Value x, int out, int kernel, int stride, int pad) {
        return b.batchNorm(b.conv(x, out, kernel, stride, pad, 1, false));
    }

    static Value convBnRelu(GraphBuilder b, Value x, int out, int kernel, int stride, int pad) {
        return b.relu(convBn(b, x, out, kernel, stride, pad));
    }

    /** Global average pooling, flatten and the classifier layer: the usual head. */
    static Value poolAndClassify(GraphBuilder b, Value x, int classes) {
        return b.dense(b.flatten(b.globalAvgPool(x)), classes);
    }
}
