package dev.minnow.zoo;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;

/** VGG-style plain conv stacks. In a layer list, 0 stands for a 2x2 max pool. */
final class Vgg {
    private static final int POOL = 0;
    private static final int[] VGG_SMALL = {128, 128, POOL, 256, 256, POOL, 512, 512, POOL};
    private static final int[] VGG16 = {64, 64, POOL, 128, 128, POOL, 256, 256, 256, POOL, 512, 512, 512, POOL, 512, 512, 512, POOL};

    private Vgg() {
    }

    /**
     * VGG-Small for CIFAR-10 as in LQ-Nets (Zhang et al. 2018) and the binary/quantized-net
     * papers after it: 2x(128C3) MP2 2x(256C3) MP2 2x(512C3) MP2 FC10, every conv (no bias)
     * followed by BN and ReLU; input 3x32x32.
     */
    static Graph vggSmall(long seed) {
        var b = GraphBuilder.named("vgg-small", seed);
        Value x = b.input("input", Shape.of(-1, 3, 32, 32));
        for (int c : VGG_SMALL) {
            x = c == POOL ? b.maxPool(x, 2) : Blocks.convBnRelu(b, x, c, 3, 1, 1);
        }
        b.output("logits", b.dense(b.flatten(x), 10));
        return b.build();
    }

    /** VGG-16 (Simonyan and Zisserman 2015, configuration D) as torchvision's vgg16, without BN; 138,357,544 parameters. */
    static Graph vgg16(long seed) {
        var b = GraphBuilder.named("vgg16", seed);
        Value x = b.input("input", Shape.of(-1, 3, 224, 224));
        for (int c : VGG16) {
            x = c == POOL ? b.maxPool(x, 2) : b.relu(b.conv(x, c, 3, 1, 1));
        }
        x = b.flatten(x); // 512x7x7: torchvision's adaptive pool to 7x7 is the identity at 224x224
        x = b.dropout(b.relu(b.dense(x, 4096)), 0.5);
        x = b.dropout(b.relu(b.dense(x, 4096)), 0.5);
        b.output("logits", b.dense(x, 1000));
        return b.build();
    }
}
