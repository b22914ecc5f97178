package dev.minnow.zoo;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;

/**
 * MobileNetV2 width 1.0 (Sandler et al. 2018) as torchvision's mobilenet_v2: inverted
 * residual blocks of 1x1 expand (ReLU6), 3x3 depthwise (ReLU6), 1x1 linear projection.
 */
final class MobileNetV2 {
    /** Per stage: expansion t, output channels c, blocks n, stride of the first block s. */
    private static final int[][] STAGES = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1},
            {6, 160, 3, 2}, {6, 320, 1, 1}};

    private MobileNetV2() {
    }

    /** ImageNet 3x224x224, 1000 classes: 3,504,872 parameters. */
    static Graph imagenet(long seed) {
        return build("mobilenetv2", Shape.of(-1, 3, 224, 224), 1000, false, seed);
    }

    /**
     * CIFAR 3x32x32, 10 classes, with the usual CIFAR change (as in kuangliu/pytorch-cifar):
     * the stem conv and the first 24-channel block use stride 1 instead of 2, so the last
     * feature map is 4x4.
     */
    static Graph cifar(long seed) {
        return build("mobilenetv2-cifar", Shape.of(-1, 3, 32, 32), 10, true, seed);
    }

    private static Graph build(String name, Shape input, int classes, boolean cifar, long seed) {
        var b = GraphBuilder.named(name, seed);
        Value x = b.input("input", input);
        x = b.relu6(Blocks.convBn(b, x, 32, 3, cifar ? 1 : 2, 1));
        int block = 0;
        for (int s = 0; s < STAGES.length; s++) {
            int[] st = STAGES[s];
            for (int i = 0; i < st[2]; i++) {
                int stride = i > 0 || (cifar && s == 1) ? 1 : st[3];
                try (var scope = b.scope("block" + ++block)) {
                    x = invertedResidual(b, x, st[0], st[1], stride);
                }
            }
        }
        x = b.relu6(Blocks.convBn(b, x, 1280, 1, 1, 0));
        x = b.dropout(b.flatten(b.globalAvgPool(x)), 0.2);
        b.output("logits", b.dense(x, classes));
        return b.build();
    }

    private static Value invertedResidual(GraphBuilder b, Value x, int expansion, int out, int stride) {
        int in = b.type(x).shape().dim(1);
        int hidden = in * expansion;
        Value y = x;
        if (expansion != 1) {
            y = b.relu6(Blocks.convBn(b, y, hidden, 1, 1, 0));
        }
        y = b.relu6(b.batchNorm(b.conv(y, hidden, 3, stride, 1, hidden, false)));
        y = Blocks.convBn(b, y, out, 1, 1, 0);
        return stride == 1 && in == out ? b.add(x, y) : y;
    }
}
