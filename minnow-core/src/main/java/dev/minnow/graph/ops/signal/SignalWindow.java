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
 * HannWindow, HammingWindow and BlackmanWindow(size): cosine-sum windows
 * a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N) with N = size (periodic=1, default) or size - 1.
 */
final class SignalWindow extends AbstractOp {
    private final double a0;
    private final double a1;
    private final double a2;
    private final boolean periodic;
    private final DType dtype;

    SignalWindow(String type, Attributes a) {
        super(type, a);
        switch (type) {
            case "HannWindow" -> {
                a0 = 0.5;
                a1 = 0.5;
                a2 = 0;
            }
            case "HammingWindow" -> {
                a0 = 25.0 / 46;
                a1 = 1 - 25.0 / 46;
                a2 = 0;
            }
            default -> {
                a0 = 0.42;
                a1 = 0.5;
                a2 = 0.08;
            }
        }
        periodic = a.getInt("periodic", 1) != 0;
        dtype = dtypeAttribute("output_datatype", DType.FLOAT32);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        required(inputs, 0);
        Tensor s = constant(constants, 0);
        return List.of(new TensorType(dtype, Shape.of(s == null ? Shape.UNKNOWN : (int) s.getLong(0))));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        int size = (int) inputs[0].getLong(0);
        double n = periodic ? size : size - 1;
        double[] w = new double[size];
        for (int i = 0; i < size; i++) {
            w[i] = a0 - a1 * Math.cos(2 * Math.PI * i / n) + a2 * Math.cos(4 * Math.PI * i / n);
        }
        return new Tensor[] {Elems.fromDoubles(dtype, Shape.of(size), w)};
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 0 ? InputRole.SETTING : InputRole.DATA;
    }
}
