package dev.minnow.zoo;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;

/**
 * GoogLeNet / Inception v1 (Szegedy et al. 2015) as torchvision's googlenet without the
 * auxiliary heads: every conv is conv (no bias) + BN (eps 1e-3) + ReLU, pools round up,
 * and, like torchvision, the "5x5" branch uses a 3x3 kernel; 6,624,904 parameters.
 */
final class GoogLeNet {
    private GoogLeNet() {
    }

    static Graph googlenet(long seed) {
        var b = GraphBuilder.named("googlenet", seed);
        Value x = b.input("input", Shape.of(-1, 3, 224, 224));
        x = basic(b, x, 64, 7, 2, 3);
        x = b.maxPool(x, 3, 2, 0, true);
        x = basic(b, x, 64, 1, 1, 0);
        x = basic(b, x, 192, 3, 1, 1);
        x = b.maxPool(x, 3, 2, 0, true);
        x = inception(b, "inception3a", x, 64, 96, 128, 16, 32, 32);
        x = inception(b, "inception3b", x, 128, 128, 192, 32, 96, 64);
        x = b.maxPool(x, 3, 2, 0, true);
        x = inception(b, "inception4a", x, 192, 96, 208, 16, 48, 64);
        x = inception(b, "inception4b", x, 160, 112, 224, 24, 64, 64);
        x = inception(b, "inception4c", x, 128, 128, 256, 24, 64, 64);
        x = inception(b, "inception4d", x, 112, 144, 288, 32, 64, 64);
        x = inception(b, "inception4e", x, 256, 160, 320, 32, 128, 128);
        x = b.maxPool(x, 2, 2, 0, true);
        x = inception(b, "inception5a", x, 256, 160, 320, 32, 128, 128);
        x = inception(b, "inception5b", x, 384, 192, 384, 48, 128, 128);
        x = b.dropout(b.flatten(b.globalAvgPool(x)), 0.2);
        b.output("logits", b.dense(x, 1000));
        return b.build();
    }

    private static Value basic(GraphBuilder b, Value x, int out, int kernel, int stride, int pad) {
        return b.relu(b.batchNorm(b.conv(x, out, kernel, stride, pad, 1, false), 1e-3));
    }

    private static Value inception(GraphBuilder b, String name, Value x, int c1, int r3, int c3, int r5, int c5, int pool) {
        try (var scope = b.scope(name)) {
            Value b1;
            Value b2;
            Value b3;
            Value b4;
            try (var s = b.scope("branch1")) {
                b1 = basic(b, x, c1, 1, 1, 0);
            }
            try (var s = b.scope("branch2")) {
                b2 = basic(b, basic(b, x, r3, 1, 1, 0), c3, 3, 1, 1);
            }
            try (var s = b.scope("branch3")) {
                b3 = basic(b, basic(b, x, r5, 1, 1, 0), c5, 3, 1, 1);
            }
            try (var s = b.scope("branch4")) {
                b4 = basic(b, b.maxPool(x, 3, 1, 1, true), pool, 1, 1, 0);
            }
            return b.concat(b1, b2, b3, b4);
        }
    }
}
