package dev.minnow.infer.kernels;

import dev.minnow.graph.Node;
import dev.minnow.graph.TensorType;
import dev.minnow.infer.spi.Kernel;
import dev.minnow.infer.spi.KernelProvider;
import dev.minnow.infer.spi.KernelRequest;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Float Concat copied into a planned buffer (SqueezeNet's fire modules concatenate 1.5 MB per
 * run; a fresh array each run cost page faults and garbage collections).
 */
public final class ConcatKernels implements KernelProvider {
    @Override
    public Kernel kernelFor(KernelRequest r) {
        if (!r.opType().equals("Concat") || r.channelLast() || r.node().inputs().isEmpty()) {
            return null;
        }
        for (int i = 0; i < r.node().inputs().size(); i++) {
            if (!r.isFloat(i)) {
                return null;
            }
        }
        Node node = r.node();
        return new Kernel() {
            @Override
            public void run(Tensor[] in, float[] buffer, Tensor[] out) {
                List<TensorType> types = new ArrayList<>();
                for (Tensor t : in) {
                    types.add(new TensorType(t.dtype(), t.shape()));
                }
                Shape os = node.op().inferTypes(types, List.of()).get(0).shape();
                int rank = os.rank();
                long a = node.attributes().getInt("axis", 1);
                int ax = (int) (a < 0 ? a + rank : a);
                int[] d = os.dims();
                int outer = 1;
                for (int k = 0; k < ax; k++) {
                    outer *= d[k];
                }
                int inner = 1;
                for (int k = ax + 1; k < rank; k++) {
                    inner *= d[k];
                }
                float[] y = Floats.target(buffer, os.sizeInt());
                int rowOut = d[ax] * inner;
                int offset = 0;
                for (Tensor t : in) {
                    float[] x = Floats.of(t);
                    int row = t.shape().dim(ax) * inner;
                    for (int o = 0; o < outer; o++) {
                        System.arraycopy(x, o * row, y, o * rowOut + offset, row);
                    }
                    offset += row;
                }
                out[0] = Tensor.wrap(DType.FLOAT32, os, y);
            }

            @Override
            public boolean plansOutput() {
                return true;
            }

            @Override
            public boolean freshOutputs() {
                return true;
            }
        };
    }
}
