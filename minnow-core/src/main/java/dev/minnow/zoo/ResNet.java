package dev.minnow.zoo;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;

/**
 * Residual networks (He et al. 2016, "Deep Residual Learning for Image Recognition").
 * Block names follow torchvision: "layerS.B.conv1", "layerS.B.bn1", and the projection
 * shortcut "layerS.B.downsample.conv1" / ".bn1".
 */
final class ResNet {
    private ResNet() {
    }

    /**
     * The CIFAR ResNets of section 4.2: 6n+2 layers, stages of 16, 32 and 64 channels on
     * 3x32x32. Shortcuts that change shape are option B (1x1 conv stride 2 + BN), not the
     * paper's option A zero padding, so the graph has no Pad/Slice and exports plainly to
     * ONNX; that adds 2,752 parameters over option A.
     */
    static Graph cifar(String name, int blocksPerStage, long seed) {
        var b = GraphBuilder.named(name, seed);
        Value x = b.input("input", Shape.of(-1, 3, 32, 32));
        x = Blocks.convBnRelu(b, x, 16, 3, 1, 1);
        int[] widths = {16, 32, 64};
        for (int s = 0; s < widths.length; s++) {
            try (var stage = b.scope("layer" + (s + 1))) {
                for (int i = 0; i < blocksPerStage; i++) {
                    x = basicBlock(b, i, x, widths[s], s > 0 && i == 0 ? 2 : 1);
                }
            }
        }
        b.output("logits", Blocks.poolAndClassify(b, x, 10));
        return b.build();
    }

    /** torchvision resnet18: BasicBlocks [2, 2, 2, 2]; 11,689,512 parameters. */
    static Graph resnet18(long seed) {
        return imagenet("resnet18", new int[] {2, 2, 2, 2}, false, seed);
    }

    /** torchvision resnet50 (v1.5: stride on the 3x3 conv): Bottlenecks [3, 4, 6, 3]; 25,557,032 parameters. */
    static Graph resnet50(long seed) {
        return imagenet("resnet50", new int[] {3, 4, 6, 3}, true, seed);
    }

    private static Graph imagenet(String name, int[] blocks, boolean bottleneck, long seed) {
        var b = GraphBuilder.named(name, seed);
        Value x = b.input("input", Shape.of(-1, 3, 224, 224));
        x = Blocks.convBnRelu(b, x, 64, 7, 2, 3);
        x = b.maxPool(x, 3, 2, 1, false);
        for (int s = 0; s < blocks.length; s++) {
            int width = 64 << s;
            try (var stage = b.scope("layer" + (s + 1))) {
                for (int i = 0; i < blocks[s]; i++) {
                    int stride = s > 0 && i == 0 ? 2 : 1;
                    x = bottleneck ? bottleneck(b, i, x, width, stride) : basicBlock(b, i, x, width, stride);
                }
            }
        }
        b.output("logits", Blocks.poolAndClassify(b, x, 1000));
        return b.build();
    }

    /** 3x3 conv-BN-ReLU, 3x3 conv-BN, plus the shortcut, then ReLU. */
    private static Value basicBlock(GraphBuilder b, int index, Value x, int width, int stride) {
        try (var block = b.scope(Integer.toString(index))) {
            Value y = Blocks.convBnRelu(b, x, width, 3, stride, 1);
            y = Blocks.convBn(b, y, width, 3, 1, 1);
            return b.relu(b.add(y, shortcut(b, x, width, stride)));
        }
    }

    /** 1x1 reduce, 3x3 (strided), 1x1 expand to 4x width, plus the shortcut, then ReLU. */
    private static Value bottleneck(GraphBuilder b, int index, Value x, int width, int stride) {
        try (var block = b.scope(Integer.toString(index))) {
            Value y = Blocks.convBnRelu(b, x, width, 1, 1, 0);
            y = Blocks.convBnRelu(b, y, width, 3, stride, 1);
            y = Blocks.convBn(b, y, width * 4, 1, 1, 0);
            return b.relu(b.add(y, shortcut(b, x, width * 4, stride)));
        }
    }

    /** Identity when the shape is kept, else a 1x1 conv + BN projection ("downsample"). */
    private static Value shortcut(GraphBuilder b, Value x, int outChannels, int stride) {
        if (stride == 1 && b.type(x).shape().dim(1) == outChannels) {
            return x;
        }
        try (var down = b.scope("downsample")) {
            return Blocks.convBn(b, x, outChannels, 1, stride, 0);
        }
    }
}
