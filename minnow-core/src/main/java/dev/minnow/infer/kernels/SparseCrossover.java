package dev.minnow.infer.kernels;

import dev.minnow.kernels.ConvGeometry;
import dev.minnow.kernels.SparseConv;

/**
 * Above which weight sparsity a sparse kernel beats the dense one, per kind of layer: the rule
 * {@link SparseKernels} applies in {@code sparse=auto}. The dense kernels run near the FMA peak
 * on batches and convolutions, while a sparse kernel pays a load per stored weight (two for the
 * one-image gather) and skips nothing else, so the crossover is where the stored fraction has
 * fallen below the dense kernel's efficiency advantage. A single image through a fully connected
 * layer is a matrix-vector product that only streams weights: there the sparse form wins as
 * soon as its 8 bytes per stored weight (value and index) are fewer than 4 bytes per dense one.
 * <p>
 * Values come from {@code minnow bench --sparse-sweep} (docs/KERNELS.md, "Sparse runtime"),
 * which prints the measured crossover next to this rule's choice; update the table from an
 * idle machine's sweep.
 */
public final class SparseCrossover {
    private SparseCrossover() {
    }

    /** The kinds of sparse layer, each with its own crossover. */
    public enum Kind {
        /** Fully connected (Gemm, MatMul with a constant matrix), one row of activations. */
        FC_ONE_ROW(0.55),
        /** Fully connected, two or more rows (a batch): the transposed register-tile kernel. */
        FC_BATCH(0.75),
        /** Stride-1 convolution: direct sparse convolution over shifted padded planes. */
        CONV_DIRECT(0.75),
        /** Strided convolution: im2col columns times the CSR filters. */
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
