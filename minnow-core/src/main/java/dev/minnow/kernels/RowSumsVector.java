package dev.minnow.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API side of {@link RowSums}; only reached when {@link VectorSupport#AVAILABLE}. Each
 * row's vector part goes into float lanes that are moved into double lanes after the row, so the
 * lanes are summed once per call, not once per row (rows of an 8x8 plane are only four vectors).
 */
final class RowSumsVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();

    private RowSumsVector() {
    }

    static double sum(float[] x, int off, int stride, int rows, int len) {
        double[] acc = new double[V];
        float[] lanes = new float[V];
        double tails = 0;
        int bound = S.loopBound(len);
        for (int b = 0; b < rows; b++) {
            int o = off + b * stride;
            FloatVector s = FloatVector.zero(S);
            for (int i = 0; i < bound; i += V) {
                s = s.add(FloatVector.fromArray(S, x, o + i));
            }
            addLanes(s, lanes, acc);
            tails += RowSums.scalarSum(x, o + bound, len - bound);
        }
        return total(acc) + tails;
    }

    static double squaredDeviation(float[] x, int off, int stride, int rows, int len, float mean) {
        double[] acc = new double[V];
        float[] lanes = new float[V];
        double tails = 0;
        int bound = S.loopBound(len);
        for (int b = 0; b < rows; b++) {
            int o = off + b * stride;
            FloatVector s = FloatVector.zero(S);
            for (int i = 0; i < bound; i += V) {
                FloatVector d = FloatVector.fromArray(S, x, o + i).sub(mean);
                s = d.fma(d, s);
            }
            addLanes(s, lanes, acc);
            tails += RowSums.scalarSquaredDeviation(x, o + bound, len - bound, mean);
        }
        return total(acc) + tails;
    }

    static double[] gradientSums(float[] dy, float[] x, int off, int stride, int rows, int len, float mean) {
        double[] accS = new double[V];
        double[] accT = new double[V];
        float[] lanes = new float[V];
        double[] tails = new double[2];
        int bound = S.loopBound(len);
        for (int b = 0; b < rows; b++) {
            int o = off + b * stride;
            FloatVector s = FloatVector.zero(S);
            FloatVector t = FloatVector.zero(S);
            for (int i = 0; i < bound; i += V) {
                FloatVector g = FloatVector.fromArray(S, dy, o + i);
                s = s.add(g);
                t = g.fma(FloatVector.fromArray(S, x, o + i).sub(mean), t);
            }
            addLanes(s, lanes, accS);
            addLanes(t, lanes, accT);
            RowSums.scalarGradientSums(dy, x, o + bound, len - bound, mean, tails);
        }
        return new double[] {total(accS) + tails[0], total(accT) + tails[1]};
    }

    private static void addLanes(FloatVector v, float[] lanes, double[] acc) {
        v.intoArray(lanes, 0);
        for (int k = 0; k < V; k++) {
            acc[k] += lanes[k];
        }
    }

    private static double total(double[] acc) {
        double s = 0;
        for (double a : acc) {
            s += a;
        }
        return s;
    }
}
