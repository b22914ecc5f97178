package dev.minnow.train;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Tiny test-only ops (written naively here so the executor can be tested before the real
 * op library lands): Linear y = flatten(x) W^T + b, Relu, Add, and Dropout (to exercise seeds).
 */
final class TestOps {
    private TestOps() {
    }

    abstract static class Base implements Op {
        @Override
        public Attributes attributes() {
            return new Attributes();
        }

        @Override
        public boolean differentiable() {
            return true;
        }
    }

    /** x [N, ...] flattened to [N, K]; W [M, K]; b [M]; y [N, M]. */
    static final class Linear extends Base {
        @Override
        public String type() {
            return "TestLinear";
        }

        @Override
        public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
            return List.of(TensorType.f32(in.get(0).shape().dim(0), in.get(1).shape().dim(0)));
        }

        @Override
        public Tensor[] forward(OpContext ctx, Tensor[] in) {
            int n = in[0].shape().dim(0);
            int m = in[1].shape().dim(0);
            int k = in[1].shape().dim(1);
            float[] x = in[0].floats();
            float[] w = in[1].floats();
            float[] b = in[2].floats();
            float[] y = new float[n * m];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    float s = b[j];
                    for (int q = 0; q < k; q++) {
                        s += x[i * k + q] * w[j * k + q];
                    }
                    y[i * m + j] = s;
                }
            }
            return new Tensor[] {Tensor.of(Shape.of(n, m), y)};
        }

        @Override
        public Tensor[] backward(OpContext ctx, Tensor[] in, Tensor[] out, Tensor[] gradOut) {
            int n = in[0].shape().dim(0);
            int m = in[1].shape().dim(0);
            int k = in[1].shape().dim(1);
            float[] x = in[0].floats();
            float[] w = in[1].floats();
            float[] dy = gradOut[0].floats();
            float[] dx = new float[n * k];
            float[] dw = new float[m * k];
            float[] db = new float[m];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    float g = dy[i * m + j];
                    db[j] += g;
                    for (int q = 0; q < k; q++) {
                        dx[i * k + q] += g * w[j * k + q];
                        dw[j * k + q] += g * x[i * k + q];
                    }
                }
            }
            return new Tensor[] {Tensor.of(in[0].shape(), dx), Tensor.of(in[1].shape(), dw), Tensor.of(in[2].shape(), db)};
        }
    }

    static final class Relu extends Base {
        @Override
        public String type() {
            return "TestRelu";
        }

        @Override
        public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
            return List.of(in.get(0));
        }

        @Override
        public Tensor[] forward(OpContext ctx, Tensor[] in) {
            float[] x = in[0].floats();
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = Math.max(0, x[i]);
            }
            return new Tensor[] {Tensor.of(in[0].shape(), y)};
        }

        @Override
        public Tensor[] backward(OpContext ctx, Tensor[] in, Tensor[] out, Tensor[] gradOut) {
            float[] x = in[0].floats();
            float[] dy = gradOut[0].floats();
            float[] dx = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                dx[i] = x[i] > 0 ? dy[i] : 0;
            }
            return new Tensor[] {Tensor.of(in[0].shape(), dx)};
        }
    }

    /** Same-shape addition; backward hands out the incoming gradient itself (aliasing on purpose). */
    static final class Add extends Base {
        @Override
        public String type() {
            return "TestAdd";
        }

        @Override
        public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
            return List.of(in.get(0));
        }

        @Override
        public Tensor[] forward(OpContext ctx, Tensor[] in) {
            float[] a = in[0].floats();
            float[] b = in[1].floats();
            float[] y = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                y[i] = a[i] + b[i];
            }
            return new Tensor[] {Tensor.of(in[0].shape(), y)};
        }

        @Override
        public Tensor[] backward(OpContext ctx, Tensor[] in, Tensor[] out, Tensor[] gradOut) {
            return new Tensor[] {gradOut[0], gradOut[0]};
        }
    }

    /** Inverted dropout with p = 0.5 in training; identity otherwise. */
    static final class Dropout extends Base {
        @Override
        public String type() {
            return "TestDropout";
        }

        @Override
        public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
            return List.of(in.get(0));
        }

        @Override
        public Tensor[] forward(OpContext ctx, Tensor[] in) {
            float[] x = in[0].floats();
            if (!ctx.training()) {
                return new Tensor[] {in[0]};
            }
            float[] mask = new float[x.length];
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                mask[i] = ctx.random().nextBoolean() ? 2f : 0f;
                y[i] = x[i] * mask[i];
            }
            ctx.save(mask);
            return new Tensor[] {Tensor.of(in[0].shape(), y)};
        }

        @Override
        public Tensor[] backward(OpContext ctx, Tensor[] in, Tensor[] out, Tensor[] gradOut) {
            float[] mask = ctx.saved();
            float[] dy = gradOut[0].floats();
            float[] dx = new float[dy.length];
            for (int i = 0; i < dx.length; i++) {
                dx[i] = dy[i] * mask[i];
            }
            return new Tensor[] {Tensor.of(in[0].shape(), dx)};
        }
    }

    static Tensor random(SplittableRandom r, double scale, int... dims) {
        Tensor t = Tensor.zeros(Shape.of(dims));
        float[] a = t.floats();
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return t;
    }

    /** A multilayer perceptron "image" -> logits: in features -> hidden (relu) -> classes. */
    static Graph mlp(int channels, int height, int width, int hidden, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int k = channels * height * width;
        Graph g = new Graph("test-mlp");
        g.addInput(new Value("image", TensorType.f32(-1, channels, height, width)));
        g.addInitializer("fc1.w", random(r, 1 / Math.sqrt(k), hidden, k));
        g.addInitializer("fc1.b", Tensor.zeros(Shape.of(hidden)));
        g.addInitializer("fc2.w", random(r, 1 / Math.sqrt(hidden), classes, hidden));
        g.addInitializer("fc2.b", Tensor.zeros(Shape.of(classes)));
        g.addNode(new Node("fc1", new Linear(), List.of("image", "fc1.w", "fc1.b"), List.of("h")));
        g.addNode(new Node("relu", new Relu(), List.of("h"), List.of("a")));
        g.addNode(new Node("fc2", new Linear(), List.of("a", "fc2.w", "fc2.b"), List.of("logits")));
        g.addOutput(new Value("logits", TensorType.f32(-1, classes)));
        return g.validate();
    }
}
