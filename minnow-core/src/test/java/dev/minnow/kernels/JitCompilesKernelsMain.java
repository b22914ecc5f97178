package dev.minnow.kernels;

import java.util.SplittableRandom;

/**
 * Runs the vector GEMM and convolution paths long enough for the JIT's optimizing compiler to
 * take them (full tiles, edge tiles, epilogues, im2col, index-map lowering, Winograd), for
 * {@link JitCompilesKernelsTest}.
 */
public final class JitCompilesKernelsMain {
    private JitCompilesKernelsMain() {
    }

    public static void main(String[] args) {
        Parallel.setThreads(1);
        SplittableRandom rnd = new SplittableRandom(1);
        ConvGeometry[] layers = {
            ConvGeometry.of(1, 32, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
            ConvGeometry.of(1, 64, 7, 7, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
            ConvGeometry.of(1, 64, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
            ConvGeometry.of(1, 8, 30, 30, 24, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1),
            ConvGeometry.of(1, 24, 9, 9, 40, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1)};
        float[][] x = new float[layers.length][];
        float[][] w = new float[layers.length][];
        Conv2d.PreparedWeights[] pw = new Conv2d.PreparedWeights[layers.length];
        for (int i = 0; i < layers.length; i++) {
            x[i] = GemmTest.random(rnd, layers[i].inputSize());
            w[i] = GemmTest.random(rnd, layers[i].weightSize());
            pw[i] = Conv2d.prepare(layers[i], w[i]);
        }
        // channel-last chain pieces: depthwise with a masked channel tail, 1x1 writing and reading NHWC
        ConvGeometry dw = ConvGeometry.of(1, 40, 9, 9, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 40);
        ConvGeometry one = ConvGeometry.of(1, 24, 9, 9, 40, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        float[] dwx = GemmTest.random(rnd, dw.inputSize());
        NhwcConv.Prepared dwp = NhwcConv.prepare(dw, GemmTest.random(rnd, dw.weightSize()), true, true);
        float[] pww = GemmTest.random(rnd, one.weightSize());
        NhwcConv.Prepared toNhwc = NhwcConv.prepare(one, pww, false, true);
        NhwcConv.Prepared fromNhwc = NhwcConv.prepare(one, pww, true, false);
        PoolGeometry pool = PoolGeometry.of(8, new int[] {29, 29}, new int[] {15, 15}, new int[] {3, 3},
                new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1});
        float[] poolIn = GemmTest.random(rnd, pool.inputSize());
        float[] poolOut = new float[pool.outputSize()];
        // training-path convolutions (shifted rows: forward, input and weight gradients) and the
        // batch-normalization sums, with channel counts off the 4 x 4 and 8-row blocks
        ConvGeometry train = ConvGeometry.of(2, 6, 10, 10, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        float[] tx = GemmTest.random(rnd, train.inputSize());
        float[] tw = GemmTest.random(rnd, train.weightSize());
        float[] ty = new float[train.outputSize()];
        float[] tdx = new float[train.inputSize()];
        float[] tdw = new float[train.weightSize()];
        // 12 s: on a loaded 2-core machine the micro-kernel reached the optimizing tier only after ~6.5 s
        long end = System.nanoTime() + 12_000_000_000L;
        int round = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < layers.length; i++) {
                ConvGeometry g = layers[i];
                float[] bias = round % 2 == 0 ? null : new float[g.outChannels()];
                float[] y = new float[g.outputSize()];
                Conv2d.forward(g, x[i], w[i], bias, y, pw[i], round % 3 == 0 ? 0f : Float.NEGATIVE_INFINITY, 6f);
                Conv2d.forward(g, x[i], w[i], bias, y);
            }
            float[] b = round % 2 == 0 ? null : new float[40];
            NhwcConv.forward(dw, dwx, true, dwp, b, round % 3 == 0, 0f, 6f, new float[dw.outputSize()], true);
            NhwcConv.forward(one, x[4], false, toNhwc, b, round % 3 == 0, 0f, 6f, new float[one.outputSize()], true);
            NhwcConv.forward(one, x[4], true, fromNhwc, b, round % 3 == 0, 0f, 6f, new float[one.outputSize()], false);
            Pool.maxForward(pool, poolIn, poolOut, null);
            Conv2d.forward(train, tx, tw, null, ty);
            Conv2d.backwardInput(train, ty, tw, tdx);
            Conv2d.backwardWeight(train, tx, ty, tdw, null);
            RowSums.squaredDeviation(tx, 0, 100, 6, 100 - round % 5, RowSums.gradientSums(ty, tx, 1, 100, 6, 99, 0f)[0] > 0 ? 1f : 0f);
            Eltwise.addClamp(poolIn, poolIn, poolIn, poolIn.length - round % 7, -1f, 1f);
            round++;
        }
        System.out.println("rounds=" + round);
    }
}
