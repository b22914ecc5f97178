package dev.minnow.graph.ops.sequence;

import dev.minnow.graph.Attributes;

/**
 * ONNX GRU (gates z, r, h; activations f = Sigmoid, g = Tanh by default):
 * z = f(X Wz + H Rz + Wbz + Rbz), r = f(X Wr + H Rr + Wbr + Rbr),
 * h~ = g(X Wh + (r . H) Rh + Rbh + Wbh), or with linear_before_reset g(X Wh + r . (H Rh + Rbh) + Wbh),
 * H' = (1 - z) . h~ + z . H. See {@link RecurrentOp}.
 */
public final class GruOp extends RecurrentOp {
    private final boolean linearBeforeReset;

    public GruOp(Attributes attrs) {
        super("GRU", attrs, new String[] {"Sigmoid", "Tanh"});
        this.linearBeforeReset = this.attrs.getInt("linear_before_reset", 0) != 0;
    }

    @Override
    int gates() {
        return 3;
    }

    @Override
    void step(int dir, double[] xw, float[] h, float[] c, float[] hOut, float[] cOut, float[] r, int rOff,
              float[] rb, int rbOff, float[] p, int pOff) {
        int n = hidden;
        double[] z = new double[n];
        float[] reset = new float[n];
        float[] resetH = new float[n];
        for (int j = 0; j < n; j++) {
            z[j] = activations[dir][0].applyAsDouble(clipped(xw[j] + rb[rbOff + j] + dotRow(r, rOff, j, h)));
            reset[j] = (float) activations[dir][0].applyAsDouble(clipped(xw[n + j] + rb[rbOff + n + j] + dotRow(r, rOff, n + j, h)));
            resetH[j] = reset[j] * h[j];
        }
        for (int j = 0; j < n; j++) {
            double pre = linearBeforeReset
                    ? xw[2 * n + j] + reset[j] * (dotRow(r, rOff, 2 * n + j, h) + rb[rbOff + 2 * n + j])
                    : xw[2 * n + j] + rb[rbOff + 2 * n + j] + dotRow(r, rOff, 2 * n + j, resetH);
            double cand = activations[dir][1].applyAsDouble(clipped(pre));
            hOut[j] = (float) ((1 - z[j]) * cand + z[j] * h[j]);
        }
    }

    @Override
    void stepBackward(int dir, double[] xw, float[] h, float[] c, float[] r, int rOff, float[] rb, int rbOff,
                      float[] p, int pOff, double[] dhOut, double[] dcOut, double[] dxw, double[] dh, double[] dc,
                      double[] dr, double[] drb, double[] dp) {
        int n = hidden;
        double[] zPre = new double[n];
        double[] rPre = new double[n];
        double[] reset = new double[n];
        float[] resetH = new float[n];
        for (int j = 0; j < n; j++) {
            zPre[j] = xw[j] + rb[rbOff + j] + dotRow(r, rOff, j, h);
            rPre[j] = xw[n + j] + rb[rbOff + n + j] + dotRow(r, rOff, n + j, h);
            reset[j] = (float) activations[dir][0].applyAsDouble(clipped(rPre[j]));
            resetH[j] = (float) (reset[j] * h[j]);
        }
        double[] dReset = new double[n];
        double[] dResetH = new double[n];
        for (int j = 0; j < n; j++) {
            double z = activations[dir][0].applyAsDouble(clipped(zPre[j]));
            double u = dotRow(r, rOff, 2 * n + j, h) + rb[rbOff + 2 * n + j];
            double pre = linearBeforeReset ? xw[2 * n + j] + reset[j] * u
                    : xw[2 * n + j] + rb[rbOff + 2 * n + j] + dotRow(r, rOff, 2 * n + j, resetH);
            double cand = activations[dir][1].applyAsDouble(clipped(pre));
            // H' = (1 - z) cand + z H
            dh[j] += dhOut[j] * z;
            double dPre = dhOut[j] * (1 - z) * activationGrads[dir][1].applyAsDouble(clipped(pre)) * clipGrad(pre);
            double dzPre = dhOut[j] * (h[j] - cand) * activationGrads[dir][0].applyAsDouble(clipped(zPre[j])) * clipGrad(zPre[j]);
            dxw[j] = dzPre;
            drb[rbOff + j] += dzPre;
            backRow(r, rOff, j, h, dzPre, dr, dh);
            dxw[2 * n + j] = dPre;
            if (linearBeforeReset) {
                // pre = xw + reset * (Rh H + Rbh)
                dReset[j] = dPre * u;
                double du = dPre * reset[j];
                drb[rbOff + 2 * n + j] += du;
                backRow(r, rOff, 2 * n + j, h, du, dr, dh);
            } else {
                drb[rbOff + 2 * n + j] += dPre;
                backRow(r, rOff, 2 * n + j, resetH, dPre, dr, dResetH);
            }
        }
        for (int j = 0; j < n; j++) {
            if (!linearBeforeReset) {
                dReset[j] = dResetH[j] * h[j];
                dh[j] += dResetH[j] * reset[j];
            }
            double drPre = dReset[j] * activationGrads[dir][0].applyAsDouble(clipped(rPre[j])) * clipGrad(rPre[j]);
            dxw[n + j] = drPre;
            drb[rbOff + n + j] += drPre;
            backRow(r, rOff, n + j, h, drPre, dr, dh);
        }
    }
}
