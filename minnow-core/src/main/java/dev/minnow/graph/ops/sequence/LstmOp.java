package dev.minnow.graph.ops.sequence;

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

    @Override
    void stepBackward(int dir, double[] xw, float[] h, float[] c, float[] r, int rOff, float[] rb, int rbOff,
                      float[] p, int pOff, double[] dhOut, double[] dcOut, double[] dxw, double[] dh, double[] dc,
                      double[] dr, double[] drb, double[] dp) {
        int n = hidden;
        double[] gatePre = new double[4];
        for (int j = 0; j < n; j++) {
            double pi = p == null ? 0 : p[pOff + j];
            double po = p == null ? 0 : p[pOff + n + j];
            double pf = p == null ? 0 : p[pOff + 2 * n + j];
            double iPre = xw[j] + rb[rbOff + j] + dotRow(r, rOff, j, h) + pi * c[j];
            double in = activations[dir][0].applyAsDouble(clipped(iPre));
            double fPre = xw[2 * n + j] + rb[rbOff + 2 * n + j] + dotRow(r, rOff, 2 * n + j, h) + pf * c[j];
            double forget = inputForget ? 1 - in : activations[dir][0].applyAsDouble(clipped(fPre));
            double cPre = xw[3 * n + j] + rb[rbOff + 3 * n + j] + dotRow(r, rOff, 3 * n + j, h);
            double cand = activations[dir][1].applyAsDouble(clipped(cPre));
            double cell = forget * c[j] + in * cand;
            double oPre = xw[n + j] + rb[rbOff + n + j] + dotRow(r, rOff, n + j, h) + po * cell;
            double o = activations[dir][0].applyAsDouble(clipped(oPre));
            // H' = o h(C'), C' = f C + i c~
            double dOPre = dhOut[j] * activations[dir][2].applyAsDouble(cell)
                    * activationGrads[dir][0].applyAsDouble(clipped(oPre)) * clipGrad(oPre);
            double dCell = dcOut[j] + dhOut[j] * o * activationGrads[dir][2].applyAsDouble(cell) + dOPre * po;
            double dForget = dCell * c[j];
            dc[j] += dCell * forget;
            double dIn = dCell * cand - (inputForget ? dForget : 0);
            double dFPre = inputForget ? 0 : dForget * activationGrads[dir][0].applyAsDouble(clipped(fPre)) * clipGrad(fPre);
            double dIPre = dIn * activationGrads[dir][0].applyAsDouble(clipped(iPre)) * clipGrad(iPre);
            double dCPre = dCell * in * activationGrads[dir][1].applyAsDouble(clipped(cPre)) * clipGrad(cPre);
            dc[j] += dIPre * pi + dFPre * pf;
            if (dp != null) {
                dp[pOff + j] += dIPre * c[j];
                dp[pOff + n + j] += dOPre * cell;
                dp[pOff + 2 * n + j] += dFPre * c[j];
            }
            // gate order in W / R / B: i, o, f, c
            gatePre[0] = dIPre;
            gatePre[1] = dOPre;
            gatePre[2] = dFPre;
            gatePre[3] = dCPre;
            for (int k = 0; k < 4; k++) {
                dxw[k * n + j] = gatePre[k];
                drb[rbOff + k * n + j] += gatePre[k];
                backRow(r, rOff, k * n + j, h, gatePre[k], dr, dh);
            }
        }
    }
}
