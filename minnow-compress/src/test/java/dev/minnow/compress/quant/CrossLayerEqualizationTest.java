package dev.minnow.compress.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.Value;
import dev.minnow.graph.pass.PassResult;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.zoo.GraphBuilder;
import dev.minnow.zoo.Zoo;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CrossLayerEqualizationTest {
    /** conv 3->16 + relu, depthwise 3x3 + relu, pointwise 16->24 + relu, GAP, dense. */
    private static Graph mobileBlock() {
        GraphBuilder b = GraphBuilder.named("block", 7);
        Value x = b.input("x", Shape.of(-1, 3, 10, 10));
        x = b.relu(b.conv(x, 16, 3, 1, 1));
        x = b.relu(b.conv(x, 16, 3, 1, 1, 16, true));
        x = b.relu(b.conv(x, 24, 1, 1, 0));
        b.output("y", b.dense(b.flatten(b.globalAvgPool(x)), 10));
        return b.build();
    }

    /**
     * The same function with badly spread channel ranges: output channel i of a conv scaled by
     * f_i (and its bias), input channel i of the next conv by 1 / f_i, as folding uneven batch norms
     * leaves MobileNets.
     */
    private static Graph unbalanced(Graph g, long seed) {
        Graph u = g.copy();
        Random r = new Random(seed);
        List<Node> convs = u.nodes().stream().filter(n -> n.opType().equals("Conv")).toList();
        for (int c = 0; c + 1 < convs.size(); c++) {
            Tensor w1 = u.initializers().get(convs.get(c).input(1));
            Tensor b1 = u.initializers().get(convs.get(c).input(2));
            Tensor w2 = u.initializers().get(convs.get(c + 1).input(1));
            int ch = w1.shape().dim(0);
            int per1 = w1.size() / ch;
            int cpg = w2.shape().dim(1);
            int k2 = w2.shape().dim(2) * w2.shape().dim(3);
            int groups = ch / cpg;
            int mg = w2.shape().dim(0) / groups;
            for (int i = 0; i < ch; i++) {
                float f = (float) Math.pow(10, 2 * r.nextDouble() - 1);
                for (int j = 0; j < per1; j++) {
                    w1.floats()[i * per1 + j] *= f;
                }
                b1.floats()[i] = f * (b1.floats()[i] + 0.1f * (float) r.nextGaussian());
                for (int o = (i / cpg) * mg; o < (i / cpg + 1) * mg; o++) {
                    for (int j = 0; j < k2; j++) {
                        w2.floats()[(o * cpg + i % cpg) * k2 + j] /= f;
                    }
                }
            }
        }
        return u;
    }

    private static Tensor random(Shape s, long seed) {
        Random r = new Random(seed);
        float[] v = new float[(int) s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.of(s, v);
    }

    @Test
    void keepsTheFunctionAndLowersPerTensorQuantizationError() {
        Graph g = unbalanced(mobileBlock(), 3);
        PassResult res = new CrossLayerEqualization().run(g);
        assertEquals(2, res.record().count("pairs"), res.record().changes().toString());
        Tensor x = random(Shape.of(4, 3, 10, 10), 1);
        Tensor ref = InferenceExecutor.of(g).run(x);
        Tensor eq = InferenceExecutor.of(res.graph()).run(x);
        double scale = 0;
        for (int i = 0; i < ref.size(); i++) {
            scale = Math.max(scale, Math.abs(ref.floats()[i]));
        }
        for (int i = 0; i < ref.size(); i++) {
            assertEquals(ref.floats()[i], eq.floats()[i], 1e-5 * scale, "output " + i);
        }
        // per-tensor 6-bit weights: the model's output error falls after equalization
        QuantScheme perTensor = QuantScheme.weights(6).withPerChannel(false);
        double before = QuantTestModels.mse(ref, InferenceExecutor.of(WeightRounding.nearest(g, perTensor).graph()).run(x));
        double after = QuantTestModels.mse(ref,
                InferenceExecutor.of(WeightRounding.nearest(res.graph(), perTensor).graph()).run(x));
        assertTrue(after < 0.2 * before, "per-tensor W6 output MSE before " + before + ", after " + after);
    }

    @Test
    void rangesOfEachPairEndEqual() {
        Graph out = new CrossLayerEqualization(200, 1e-9).run(unbalanced(mobileBlock(), 5)).graph();
        List<Node> convs = out.nodes().stream().filter(n -> n.opType().equals("Conv")).toList();
        // the depthwise layer: its output range equals the pointwise layer's input range per channel
        Tensor dw = out.initializers().get(convs.get(1).input(1));
        Tensor pw = out.initializers().get(convs.get(2).input(1));
        for (int i = 0; i < 16; i++) {
            double r1 = 0;
            for (int j = 0; j < 9; j++) {
                r1 = Math.max(r1, Math.abs(dw.floats()[i * 9 + j]));
            }
            double r2 = 0;
            for (int o = 0; o < 24; o++) {
                r2 = Math.max(r2, Math.abs(pw.floats()[o * 16 + i]));
            }
            assertEquals(r1, r2, 1e-3 * r1, "channel " + i);
        }
    }

    @Test
    void mobilenetV2KeepsItsFunction() {
        Graph g = Zoo.build("mobilenetv2-cifar", 2);
        PassResult res = new CrossLayerEqualization().run(g);
        assertTrue(res.record().count("bn_folded") > 50);
        // ReLU6 blocks the expand/depthwise/project pairs; project -> expand without a residual remains
        assertTrue(res.record().count("pairs") > 0, res.record().toString());
        Tensor x = random(Shape.of(2, 3, 32, 32), 4);
        Tensor ref = InferenceExecutor.of(g).run(x);
        Tensor eq = InferenceExecutor.of(res.graph()).run(x);
        double scale = 0;
        for (int i = 0; i < ref.size(); i++) {
            scale = Math.max(scale, Math.abs(ref.floats()[i]));
        }
        for (int i = 0; i < ref.size(); i++) {
            assertEquals(ref.floats()[i], eq.floats()[i], 1e-4 * scale, "output " + i);
        }
    }
}
