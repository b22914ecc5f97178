package dev.minnow.graph;

import dev.minnow.tensor.Tensor;

/**
 * What an op input is for. An op declares the role of each input slot
 * ({@link Op#inputRole(int)}); {@link #of(Graph, Node, int)} resolves the role of one node's
 * input in its graph. Roles decide what counts as a parameter ({@link CostModel}), and are
 * what a trainer or a compression method asks before touching a tensor (train WEIGHT and
 * BIAS; never prune a SETTING; calibrate QUANT_PARAM).
 */
public enum InputRole {
    /** An activation or other value that flows through the model (the default). */
    DATA,
    /** A learned tensor that multiplies: conv kernels, dense matrices, norm scales, PRelu slopes. */
    WEIGHT,
    /** A learned tensor that is added: conv, dense and norm biases. */
    BIAS,
    /** A value estimated from data rather than learned by gradients: batch norm's running mean and variance. */
    STATISTIC,
    /** A quantization scale or zero point. */
    QUANT_PARAM,
    /** A constant that configures the op: shapes, axes, pads, Clip bounds, a dropout ratio, Resize scales. */
    SETTING;

    /** Whether elements of this role are learnable parameters (what {@code params} counts when floating). */
    public boolean isParameter() {
        return this == WEIGHT || this == BIAS;
    }

    /**
     * The role of input {@code i} of {@code n} in {@code g}: the op's declared role, except that
     * a constant (an initializer) in a DATA slot is a learned WEIGHT when it has rank 1 or more
     * and a SETTING when it is a scalar. Exported models put learned tensors in data slots
     * (MatMul's matrix, Add's bias, Mul's LayerNorm scale, Gather's embedding table, a QDQ
     * model's int8 weight before DequantizeLinear) and scalar constants there too (Div by
     * sqrt(d), Pow by 2). An absent optional input ("") is DATA.
     */
    public static InputRole of(Graph g, Node n, int i) {
        InputRole declared = n.op().inputRole(i);
        String v = n.input(i);
        if (declared != DATA || v.isEmpty()) {
            return declared;
        }
        Tensor t = g.initializers().get(v);
        if (t == null) {
            return DATA;
        }
        return t.shape().rank() == 0 ? SETTING : WEIGHT;
    }
}
