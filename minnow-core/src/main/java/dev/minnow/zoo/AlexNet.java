package dev.minnow.zoo;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;

/** AlexNet (Krizhevsky et al. 2012) in torchvision's single-tower form (channels 64-192-384-256-256); 61,100,840 parameters. */
final class AlexNet {
    private AlexNet() {
    }

    static Graph alexnet(long seed) {
        var b = GraphBuilder.named("alexnet", seed);
        Value x = b.input("input", Shape.of(-1, 3, 224, 224));
        x = b.maxPool(b.relu(b.conv(x, 64, 11, 4, 2)), 3, 2, 0, false);
        x = b.maxPool(b.relu(b.conv(x, 192, 5, 1, 2)), 3, 2, 0, false);
        x = b.relu(b.conv(x, 384, 3, 1, 1));
        x = b.relu(b.conv(x, 256, 3, 1, 1));
        x = b.maxPool(b.relu(b.conv(x, 256, 3, 1, 1)), 3, 2, 0, false);
        x = b.flatten(x); // 256x6x6: torchvision's adaptive pool to 6x6 is the identity at 224x224
        x = b.relu(b.dense(b.dropout(x, 0.5), 4096));
        x = b.relu(b.dense(b.dropout(x, 0.5), 4096));
        b.output("logits", b.dense(x, 1000));
        return b.build();
    }
}
