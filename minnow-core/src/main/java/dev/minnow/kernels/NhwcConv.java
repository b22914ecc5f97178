package dev.minnow.kernels;

/**
 * Convolutions on channel-last (NHWC) activations, for the inference executor's MobileNet-style
 * chains 1x1 conv -> depthwise -> 1x1 conv: the depthwise convolution runs channel-vectorized
 * on NHWC ({@link DepthwiseConv#forwardNhwc}) and the 1x1 convolutions around it absorb the
 * layout change in their GEMM's transposes, so no explicit transpose runs.
 * <p>
 * Layouts per image: NCHW x [C][P], NHWC x [P][C] (P = H*W positions, channels fastest); weights
 * are the ONNX ones, [M][C/groups][kH][kW]. A 1x1 convolution (stride 1, no padding, one group) is
 * Y[M x P] = W[M x C] * X[C x P], so with NHWC on either side:
 * <pre>
 *   NCHW in, NHWC out:  Y^T[P x M] = X^T * W^T        (A = X read transposed, B = W^T)
 *   NHWC in, NCHW out:  Y[M x P]   = W * Xnhwc^T      (A = W packed once, B read transposed)
 *   NHWC in, NHWC out:  Y^T[P x M] = Xnhwc * W^T
 * </pre>
 * Training never sees these layouts: every op and its gradients stay NCHW.
 */
public final class NhwcConv {
    private NhwcConv() {
    }

    /** Whether g is a depthwise convolution with channel multiplier 1 (any kernel, stride, padding, dilation). */
    public static boolean depthwiseFits(ConvGeometry g) {
        return DepthwiseConv.appliesNhwc(g);
    }

    /** Whether g is a 1x1, stride-1, unpadded convolution with one group. */
    public static boolean pointwiseFits(ConvGeometry g) {
        return Conv2d.isPointwise(g) && g.groups() == 1;
    }

    /**
     * Whether g may read NCHW and write NHWC through im2col: one group and not a Winograd shape
     * (3x3 stride 1 stays on its faster NCHW kernel), e.g. MobileNetV2's 3x3 stride-2 stem.
     */
    public static boolean loweredFits(ConvGeometry g) {
        return g.groups() == 1 && !Conv2d.isPointwise(g) && !WinogradConv.shapeFits(g);
    }

    /**
     * Weights prepared once for many calls (holds a reference to w, which must not change):
     * depthwise taps [kH*kW][C], or for a 1x1 convolution W^T [C][M] (NHWC output) and W's packed
     * GEMM panels (NHWC input, NCHW output). Unused parts are null.
     */
    public record Prepared(float[] w, float[] taps, float[] wT, Gemm.PackedA packed) {
    }

    /** Prepares w for {@link #forward} with these layouts (g must fit one of the kernels). */
    public static Prepared prepare(ConvGeometry g, float[] w, boolean nhwcIn, boolean nhwcOut) {
        if (depthwiseFits(g) && !pointwiseFits(g)) {
            return new Prepared(w, DepthwiseConv.tapMajor(g, w), null, null);
        }
        boolean lowered = !nhwcIn && nhwcOut && loweredFits(g);
        if (!lowered) {
            requirePointwise(g);
        }
        int M = g.outChannels();
        int C = g.inChannels();
        float[] wT = null;
        if (nhwcOut) {
            int K = Conv2d.rows(g); // C (1x1) or C*kH*kW (lowered)
            wT = new float[K * M];
            for (int m = 0; m < M; m++) {
                for (int k = 0; k < K; k++) {
                    wT[k * M + m] = w[m * K + k];
                }
            }
        }
        Gemm.PackedA packed = nhwcIn && !nhwcOut ? Gemm.pack(false, M, C, w, 0, C) : null;
        return new Prepared(w, null, wT, packed);
    }

    /**
     * y = clamp(conv(x) + bias) with x channel-last when nhwcIn and y channel-last when nhwcOut
     * (clamp to [lo, hi] only when clamp). prepared comes from {@link #prepare} with the same
     * w, geometry kind and layouts; bias [M] is nullable.
     */
    public static void forward(ConvGeometry g, float[] x, boolean nhwcIn, Prepared prepared, float[] bias,
                               boolean clamp, float lo, float hi, float[] y, boolean nhwcOut) {
        if (g.outputSize() == 0) {
            return;
        }
        if (prepared.taps() != null) {
            if (!nhwcIn || !nhwcOut) {
                throw new IllegalArgumentException("the NHWC depthwise kernel reads and writes NHWC");
            }
            DepthwiseConv.forwardNhwc(g, x, prepared.taps(), bias, clamp, lo, hi, y);
            return;
        }
        if (!nhwcIn && !nhwcOut) {
            throw new IllegalArgumentException("NCHW in and out is Conv2d.forward's job");
        }
        float l = clamp ? lo : Float.NEGATIVE_INFINITY;
        float h = clamp ? hi : Float.POSITIVE_INFINITY;
        if (!nhwcIn && !pointwiseFits(g) && loweredFits(g)) {
            lowered(g, x, prepared.wT(), new Gemm.Epilogue(null, 0, l, h, bias), y);
            return;
        }
        requirePointwise(g);
        int P = g.outH() * g.outW();
        int C = g.inChannels();
        int M = g.outChannels();
        Conv2d.forEachImage(g, n -> {
            int xo = n * C * P;
            int yo = n * M * P;
            if (!nhwcOut) {
                // bias is per row of Y[M x P]: the GEMM's epilogue adds it and clamps as it stores
                Gemm.sgemm(prepared.packed(), true, P, x, xo, C, 0f, y, yo, P, new Gemm.Epilogue(bias, 0, l, h));
                return;
            }
            // bias is per column of Y^T[P x M]
            Gemm.sgemm(!nhwcIn, false, P, M, C, 1f, x, xo, nhwcIn ? C : P, prepared.wT(), 0, M, 0f, y, yo, M,
                    new Gemm.Epilogue(null, 0, l, h, bias));
        });
    }

    /**
     * NCHW in, NHWC out through im2col: per chunk of output positions [p0, p0+nc),
     * Y^T[nc x M] = col^T * W^T with col = im2col [K x nc] (K = C*kH*kW) and wT [K x M]. One image
     * on several threads splits its positions, each thread lowering its own range.
     */
    private static void lowered(ConvGeometry g, float[] x, float[] wT, Gemm.Epilogue epi, float[] y) {
        int P = g.outH() * g.outW();
        int K = Conv2d.rows(g);
        int M = g.outChannels();
        int parts = g.batch() < Parallel.threads() && P >= 256 * Parallel.threads() ? Parallel.threads() : 1;
        Conv2d.forEachImage(g, n -> Parallel.forRange(parts, 1, (from, to) -> {
            int xo = n * g.inChannels() * g.inH() * g.inW();
            int yo = n * M * P;
            for (int part = from; part < to; part++) {
                int begin = (int) ((long) P * part / parts);
                int end = (int) ((long) P * (part + 1) / parts);
                int chunk = Conv2d.columnChunk(K, end - begin);
                float[] col = Conv2d.workspace(0, K * chunk);
                for (int p0 = begin; p0 < end; p0 += chunk) {
                    int nc = Math.min(chunk, end - p0);
                    Im2col.im2col(g, x, xo, p0, nc, col);
                    Gemm.sgemm(true, false, nc, M, K, 1f, col, 0, nc, wT, 0, M, 0f, y, yo + p0 * M, M, epi);
                }
            }
        }));
    }

    private static void requirePointwise(ConvGeometry g) {
        if (!pointwiseFits(g)) {
            throw new IllegalArgumentException("NHWC convolution needs a 1x1 stride-1 unpadded one-group "
                    + "or a multiplier-1 depthwise geometry, got " + g);
        }
    }
}
