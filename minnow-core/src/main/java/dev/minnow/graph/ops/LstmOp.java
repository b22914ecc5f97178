package dev.minnow.graph.ops;

import dev.minnow.graph.Attributes;

/**
 * ONNX LSTM (gates in the order i, o, f, c; peepholes P in the order i, o, f; activations
 * f = Sigmoid, g = Tanh, h = Tanh by default): i = f(X Wi + H Ri + Pi . C + b), f likewise
 * (1 - i when input_forget = 1), c~ = g(X Wc + H Rc + b), C' = f . C + i . c~,
 * o = f(X Wo + H Ro + Po . C' + b), H' = o . h(C'). Extra inputs initial_c (6) and P (7),
 * extra output Y_c. See {@link RecurrentOp}.
 */
public final class LstmOp extends RecurrentOp {
    private final boolean inputForget;

    public LstmOp(Attributes attrs) {
        super("LSTM", attrs, new String[] {"Sigmoid", "Tanh", "Tanh"});
        this.inputForget = this.attrs.getInt("input_forget", 0) != 0;
    }

    @Override
    int gates() {
        return 4;
    }

    @Override
    boolean hasCell() {
        return true;
    }

    @Override
    int initialCellInput() {
        return 6;
    }

    @Override
    int peepholeInput() {
        return 7;
    }

    @Override
    void step(int dir, double[] xw, float[] h, float[] c, float[] hOut, float[] cOut, float[] r, int rOff,
              float[] rb, int rbOff, float[] p, int pOff) {
        int n = hidden;
        for (int j = 0; j < n; j++) {
            double pi = p == null ? 0 : p[pOff + j];
            double po = p == null ? 0 : p[pOff + n + j];
            double pf = p == null ? 0 : p[pOff + 2 * n + j];
            double in = activations[dir][0].applyAsDouble(
                    clipped(xw[j] + rb[rbOff + j] + dotRow(r, rOff, j, h) + pi * c[j]));
            double forget = inputForget ? 1 - in : activations[dir][0].applyAsDouble(
                    clipped(xw[2 * n + j] + rb[rbOff + 2 * n + j] + dotRow(r, rOff, 2 * n + j, h) + pf * c[j]));
            double cand = activations[dir][1].applyAsDouble(
                    clipped(xw[3 * n + j] + rb[rbOff + 3 * n + j] + dotRow(r, rOff, 3 * n + j, h)));
            double cell = forget * c[j] + in * cand;
            double o = activations[dir][0].applyAsDouble(
                    clipped(xw[n + j] + rb[rbOff + n + j] + dotRow(r, rOff, n + j, h) + po * cell));
            cOut[j] = (float) cell;
            hOut[j] = (float) (o * activations[dir][2].applyAsDouble(cell));
        }
    }
}
