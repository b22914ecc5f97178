package dev.minnow.bench;

import dev.minnow.infer.InferenceExecutor;
import dev.minnow.kernels.Parallel;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.TrainingExecutor;
import dev.minnow.zoo.Zoo;
import dev.minnow.graph.Graph;
import java.util.SplittableRandom;

/**
 * Zoo models run by plain per-node forward (TrainingExecutor.predict) and by the
 * InferenceExecutor (BN folded, Conv+activation fused, planned buffers): milliseconds per batch,
 * best of several runs, on one thread (thread CPU time) unless args[0] gives more threads.
 * Usage: InferencePeak [threads [batch [model ...]]].
 */
public final class InferencePeak {
    private InferencePeak() {
    }

    public static void main(String[] args) {
        Parallel.setThreads(args.length > 0 ? Integer.parseInt(args[0]) : 1);
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        String[] models = args.length > 2 ? java.util.Arrays.copyOfRange(args, 2, args.length)
                : new String[] {"lenet5", "resnet20", "mobilenetv2-cifar", "vgg-small"};
        System.out.printf("threads=%d batch=%d; ms per batch, best of runs by %s%n", Parallel.threads(), batch,
                Timing.clock());
        for (String name : models) {
            Graph g = Zoo.build(name, 1);
            int[] d = g.inputs().get(0).type().shape().dims();
            d[0] = batch;
            Shape shape = Shape.of(d);
            float[] v = new float[shape.sizeInt()];
            SplittableRandom rnd = new SplittableRandom(2);
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) rnd.nextDouble(-1, 1);
            }
            Tensor x = Tensor.of(shape, v);
            TrainingExecutor plain = new TrainingExecutor(g);
            InferenceExecutor fast = InferenceExecutor.of(g, dev.minnow.infer.ExecutionOptions.fromSystemProperties());
            double plainMs = 1e-6 / Timing.bestRate(1, 20, () -> plain.predict(x));
            double fastMs = 1e-6 / Timing.bestRate(1, 20, () -> fast.run(x));
            System.out.printf("%-20s plain %8.2f ms  inference executor %8.2f ms  (%.2fx)  %s%n", name, plainMs, fastMs,
                    plainMs / fastMs, fast.summary());
        }
    }
}
