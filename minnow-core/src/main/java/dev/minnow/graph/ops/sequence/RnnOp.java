package dev.minnow.graph.ops.sequence;

import dev.minnow.graph.Attributes;

/** ONNX RNN: H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb), f default Tanh. See {@link RecurrentOp}. */
public final class RnnOp extends RecurrentOp {
    public RnnOp(Attributes attrs) {
        super("RNN", attrs, new String[] {"Tanh"});
    }

    @Override
    int gates() {
        return 1;
    }

    @Override
    void step(int dir, double[] xw, float[] h, float[] c, float[] hOut, float[] cOut, float[] r, int rOff,
              float[] rb, int rbOff, float[] p, int pOff) {
        for (int j = 0; j < hidden; j++) {
            hOut[j] = (float) activations[dir][0].applyAsDouble(clipped(xw[j] + rb[rbOff + j] + dotRow(r, rOff, j, h)));
        }
    }

    @Override
    void stepBackward(int dir, double[] xw, float[] h, float[] c, float[] r, int rOff, float[] rb, int rbOff,
                      float[] p, int pOff, double[] dhOut, double[] dcOut, double[] dxw, double[] dh, double[] dc,
                      double[] dr, double[] drb, double[] dp) {
        for (int j = 0; j < hidden; j++) {
            double pre = xw[j] + rb[rbOff + j] + dotRow(r, rOff, j, h);
            double ga = dhOut[j] * activationGrads[dir][0].applyAsDouble(clipped(pre)) * clipGrad(pre);
            dxw[j] = ga;
            drb[rbOff + j] += ga;
            backRow(r, rOff, j, h, ga, dr, dh);
        }
    }
}
