package dev.minnow.graph.ops.signal;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * MelWeightMatrix(num_mel_bins, dft_length, sample_rate, lower_edge_hertz, upper_edge_hertz):
 * [dft_length / 2 + 1, num_mel_bins] triangular filters whose edges are equally spaced on the
 * mel scale (2595 log10(1 + f / 700)), each edge rounded down to a DFT bin as ONNX specifies.
 */
final class MelWeightMatrix extends AbstractOp {
    private final DType dtype;

    MelWeightMatrix(Attributes a) {
        super("MelWeightMatrix", a);
        dtype = dtypeAttribute("output_datatype", DType.FLOAT32);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        Tensor mel = constant(constants, 0);
        Tensor dft = constant(constants, 1);
        return List.of(new TensorType(dtype, Shape.of(dft == null ? Shape.UNKNOWN : (int) dft.getLong(0) / 2 + 1,
                mel == null ? Shape.UNKNOWN : (int) mel.getLong(0))));
    }

    private static double mel(double hz) {
        return 2595 * Math.log10(1 + hz / 700);
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        int bins = (int) inputs[0].getLong(0);
        long dftLength = inputs[1].getLong(0);
        double sampleRate = inputs[2].getDouble(0);
        double low = mel(inputs[3].getDouble(0));
        double high = mel(inputs[4].getDouble(0));
        int spectrum = (int) (dftLength / 2 + 1);
        double step = (high - low) / (bins + 2);
        int[] edge = new int[bins + 2];
        for (int i = 0; i < edge.length; i++) {
            double hz = 700 * (Math.pow(10, (i * step + low) / 2595) - 1);
            edge[i] = (int) Math.floor((dftLength + 1) * hz / sampleRate);
        }
        double[] w = new double[spectrum * bins];
        for (int m = 0; m < bins; m++) {
            int left = edge[m];
            int centre = edge[m + 1];
            int right = edge[m + 2];
            if (centre == left) {
                w[centre * bins + m] = 1;
            } else {
                for (int j = left; j <= centre; j++) {
                    w[j * bins + m] = (double) (j - left) / (centre - left);
                }
            }
            for (int j = centre; j < right; j++) {
                w[j * bins + m] = (double) (right - j) / (right - centre);
            }
        }
        return new Tensor[] {Elems.fromDoubles(dtype, Shape.of(spectrum, bins), w)};
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 0 ? InputRole.SETTING : InputRole.DATA;
    }
}
