package dev.minnow.zoo;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;

/** SqueezeNet 1.1 (Iandola et al. 2016; the 1.1 variant from the authors' repository) as torchvision's squeezenet1_1; 1,235,496 parameters. */
final class SqueezeNet {
    private SqueezeNet() {
    }

    static Graph squeezenet11(long seed) {
        var b = GraphBuilder.named("squeezenet1.1", seed);
        Value x = b.input("input", Shape.of(-1, 3, 224, 224));
        x = b.relu(b.conv(x, 64, 3, 2, 0));
        x = b.maxPool(x, 3, 2, 0, true);
        x = fire(b, 2, x, 16, 64);
        x = fire(b, 3, x, 16, 64);
        x = b.maxPool(x, 3, 2, 0, true);
        x = fire(b, 4, x, 32, 128);
        x = fire(b, 5, x, 32, 128);
        x = b.maxPool(x, 3, 2, 0, true);
        x = fire(b, 6, x, 48, 192);
        x = fire(b, 7, x, 48, 192);
        x = fire(b, 8, x, 64, 256);
        x = fire(b, 9, x, 64, 256);
        x = b.relu(b.conv(b.dropout(x, 0.5), 1000, 1));
        b.output("logits", b.flatten(b.globalAvgPool(x)));
        return b.build();
    }

    /** 1x1 squeeze + ReLU, then 1x1 and 3x3 expand (each + ReLU) concatenated. */
    private static Value fire(GraphBuilder b, int index, Value x, int squeeze, int expand) {
        try (var scope = b.scope("fire" + index)) {
            Value s = b.relu(b.conv(x, squeeze, 1));
            return b.concat(b.relu(b.conv(s, expand, 1)), b.relu(b.conv(s, expand, 3, 1, 1)));
        }
    }
}
