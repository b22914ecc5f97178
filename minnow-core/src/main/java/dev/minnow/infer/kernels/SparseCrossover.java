package dev.minnow.infer.kernels;

import dev.minnow.kernels.ConvGeometry;
import dev.minnow.kernels.SparseConv;

/**
 * Above which weight sparsity a sparse kernel beats the dense one, per kind of layer: the rule
 * {@link SparseKernels} applies in {@code sparse=auto}. The dense kernels run near the FMA peak,
 * while a sparse kernel pays a load per stored weight (and, for one image through a fully
 * connected layer, a gathered load of the activation too), so the crossover is where the stored
 * fraction has fallen below the dense kernel's efficiency advantage.
 * <p>
 * First values (single thread, thread CPU time per call on a loaded 2-core Xeon with AVX-512, so
 * provisional): LeNet-300-100's 784x300 layer at batch 1 (its dense matrix-vector product runs
 * from cache at about 20 GMAC/s) 0.012 ms dense against 0.027 / 0.012 / 0.008 ms sparse at
 * 70 / 90 / 95%; at batch 64, 0.24 ms dense against 0.31 / 0.19 / 0.07 ms at 50 / 70 / 95%.
 * ResNet-20's 16-channel 3x3 conv at 32x32, batch 64: 2.0 ms dense against 2.9 / 1.2 ms at
 * 50 / 90%; its 64-channel conv at 8x8 (where the dense GEMM is less efficient) is already 2x
 * faster sparse at 70%. The thresholds sit at the conservative end of each kind.
 * {@code minnow bench --sparse-sweep} (docs/KERNELS.md, "Sparse runtime") prints the measured
 * crossovers next to this rule's choice; update the table from an idle machine's sweep.
 */
public final class SparseCrossover {
    private SparseCrossover() {
    }

    /** The kinds of sparse layer, each with its own crossover. */
    public enum Kind {
        /** Fully connected (Gemm, MatMul with a constant matrix), one row of activations. */
        FC_ONE_ROW(0.9),
        /** Fully connected, two or more rows (a batch): the transposed register-tile kernel. */
        FC_BATCH(0.65),
        /** Stride-1 convolution: direct sparse convolution over shifted padded planes. */
        CONV_DIRECT(0.75),
        /** Strided convolution: im2col columns times the CSR filters (not yet measured: set above the direct one). */
        CONV_LOWERED(0.8);

        /** Weight sparsity (fraction of zeros) at and above which the sparse kernel runs. */
        public final double threshold;

        Kind(double threshold) {
            this.threshold = threshold;
        }
    }

    /** The kind of a fully connected layer multiplying rows of activations at once. */
    public static Kind fullyConnected(int rows) {
        return rows <= 1 ? Kind.FC_ONE_ROW : Kind.FC_BATCH;
    }

    /** The kind of a convolution. */
    public static Kind conv(ConvGeometry g) {
        return SparseConv.direct(g) ? Kind.CONV_DIRECT : Kind.CONV_LOWERED;
    }

    /** Whether weights of this sparsity run faster sparse in a layer of this kind. */
    public static boolean sparseFaster(Kind kind, double sparsity) {
        return sparsity >= kind.threshold;
    }
}
