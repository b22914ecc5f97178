package dev.minnow.compress.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.TrainingExecutor;
import dev.minnow.zoo.GraphBuilder;
import dev.minnow.zoo.Zoo;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Batch norm put back into a folded graph is the identity on its calibration data (inference
 * mode), and folding it out again writes exactly what the batch-norm graph computes into the
 * original graph's own weights, whose structure stays as it was.
 */
class BatchNormReinsertionTest {
    /** conv(+bias) -> ReLU -> conv(+bias) -> ReLU -> GAP -> dense: a network exported with BN folded. */
    private static Graph folded() {
        GraphBuilder b = GraphBuilder.named("folded", 5);
        Value x = b.input("x", Shape.of(-1, 3, 8, 8));
        Value y = b.relu(b.conv(x, 6, 3, 1, 1, 1, true));
        y = b.relu(b.conv(y, 5, 3, 1, 1, 1, true));
        b.output("y", b.dense(b.flatten(b.globalAvgPool(y)), 4));
        Graph g = b.build();
        g.metadata().remove("minnow.builder"); // as an export from another framework arrives
        SplittableRandom r = new SplittableRandom(3);
        for (Tensor t : g.initializers().values()) {
            float[] a = t.floats();
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (r.nextGaussian() * 0.5 + (t.shape().rank() == 1 ? 0.3 : 0));
            }
        }
        return g;
    }

    private static List<Tensor> batches(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Tensor> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            Tensor t = Tensor.zeros(Shape.of(4, 3, 8, 8));
            for (int i = 0; i < t.size(); i++) {
                t.floats()[i] = (float) r.nextGaussian();
            }
            out.add(t);
        }
        return out;
    }

    private static float[] predict(Graph g, Tensor x) {
        return new TrainingExecutor(g).predict(x).floats();
    }

    @Test
    void insertedBatchNormIsTheIdentityInInference() {
        Graph g = folded();
        assertEquals(2, BatchNormReinsertion.candidates(g).size());
        Graph withBn = BatchNormReinsertion.insert(g, batches(3, 1));
        assertEquals(2, withBn.nodes().stream().filter(n -> n.opType().equals("BatchNormalization")).count());
        Tensor x = batches(1, 9).get(0);
        float[] want = predict(g, x);
        float[] got = predict(withBn, x);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-4 * (1 + Math.abs(want[i])), "output " + i);
        }
        assertTrue(BatchNormReinsertion.candidates(withBn).isEmpty(), "a conv read by a batch norm needs none");
    }

    @Test
    void foldingBackWritesTheTrainedValuesIntoTheOriginalGraph() {
        Graph g = folded();
        List<String> namesBefore = g.nodes().stream().map(Node::name).toList();
        Graph withBn = BatchNormReinsertion.insert(g, batches(3, 1));
        // what training would do: move every batch-norm parameter
        SplittableRandom r = new SplittableRandom(5);
        for (Node n : withBn.nodes()) {
            if (n.opType().equals("BatchNormalization")) {
                for (int k = 1; k <= 4; k++) {
                    float[] a = withBn.initializers().get(n.input(k)).floats();
                    for (int i = 0; i < a.length; i++) {
                        a[i] = k == 4 ? (float) (0.5 + r.nextDouble()) : (float) (a[i] + r.nextGaussian() * 0.3);
                    }
                }
            }
        }
        Tensor x = batches(1, 9).get(0);
        float[] before = predict(g, x);
        float[] want = predict(withBn, x);
        BatchNormReinsertion.foldBack(withBn, g);
        float[] got = predict(g, x);
        double moved = 0;
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-4 * (1 + Math.abs(want[i])), "output " + i);
            moved += Math.abs(got[i] - before[i]);
        }
        assertTrue(moved > 1e-2, "the changed batch norms must change the folded graph's output");
        assertEquals(namesBefore, g.nodes().stream().map(Node::name).toList(), "the original keeps its structure");
    }

    @Test
    void onlyExportsWithoutBatchNormOrRecipeAreTreatedAsFolded() {
        assertTrue(FineTuning.foldedExport(folded()));
        assertFalse(FineTuning.foldedExport(Zoo.build("lenet5", 1)), "a zoo LeNet-5 records its recipe: left as it is");
        assertFalse(FineTuning.foldedExport(Zoo.build("resnet20", 1)), "has batch norm");
    }
}
