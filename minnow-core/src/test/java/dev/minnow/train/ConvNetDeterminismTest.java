package dev.minnow.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Transform;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;
import dev.minnow.zoo.GraphBuilder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One thread and one seed give bit-identical weights (running statistics included) on a model
 * with convolutions, batch normalization and dropout, trained with random crops and flips; a
 * different seed gives different ones.
 */
class ConvNetDeterminismTest {
    private static final DatasetSplit DATA = TinyDataset.split(96, 16);

    private static Graph model() {
        GraphBuilder b = GraphBuilder.named("det-convnet", 11);
        Value x = b.input("image", Shape.of(-1, 1, 4, 4));
        x = b.relu(b.batchNorm(b.conv(x, 6, 3, 1, 1)));
        x = b.relu(b.batchNorm(b.conv(x, 6, 3, 1, 1)));
        x = b.dropout(b.flatten(x), 0.3);
        b.output("logits", b.dense(x, TinyDataset.CLASSES));
        return b.build();
    }

    private static Graph train(long seed) {
        Graph g = model();
        Trainer.of(g).optimizer(Optimizers.momentum(0.05, 0.9, true).weightDecay(1e-4)).epochs(2).batchSize(16)
                .seed(seed).threads(1)
                .augment(new Transform.Compose(List.of(new Transform.RandomCrop(4, 1), new Transform.HorizontalFlip(0.5))))
                .fit(DATA);
        return g;
    }

    @Test
    void sameSeedSameWeightsOtherSeedOtherWeights() {
        Graph initial = model();
        Graph a = train(5);
        Graph b = train(5);
        Graph c = train(6);
        boolean differsFromInitial = false;
        boolean differsAcrossSeeds = false;
        for (Map.Entry<String, dev.minnow.tensor.Tensor> e : a.floatInitializers().entrySet()) {
            float[] wa = e.getValue().floats();
            assertArrayEquals(wa, b.initializers().get(e.getKey()).floats(), 0f, e.getKey() + " differs between two runs");
            differsFromInitial |= !Arrays.equals(wa, initial.initializers().get(e.getKey()).floats());
            differsAcrossSeeds |= !Arrays.equals(wa, c.initializers().get(e.getKey()).floats());
        }
        assertTrue(differsFromInitial, "training changed the weights");
        assertTrue(differsAcrossSeeds, "another seed gives other weights");
        String mean = a.initializers().keySet().stream().filter(k -> k.endsWith(".mean")).findFirst().orElseThrow();
        assertFalse(Arrays.equals(a.initializers().get(mean).floats(), initial.initializers().get(mean).floats()),
                "the running mean moved");
    }
}
