package dev.minnow.graph.ops.nn;

import dev.minnow.errors.ShapeException;
import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Attributes;
import java.util.Arrays;

/**
 * The sliding-window attributes shared by Conv, ConvTranspose and the pooling ops, parsed once
 * (ONNX names and defaults): kernel_shape, strides, dilations, pads [begin..., end...],
 * auto_pad (NOTSET, SAME_UPPER, SAME_LOWER, VALID) and ceil_mode. {@link #resolve} turns
 * them into concrete per-axis numbers for one input size.
 */
final class Window {
    final String op;
    final int[] kernel;
    final int[] strides;
    final int[] dilations;
    final int[] pads;
    final String autoPad;
    final boolean ceilMode;

    /** Concrete geometry for one input; out[i] is -1 when the input size is unknown. */
    record Resolved(int[] in, int[] out, int[] kernel, int[] strides, int[] dilations, int[] padBegin, int[] padEnd) {
        int rank() {
            return in.length;
        }

        /** Kernel extent with dilation along axis i. */
        int extent(int i) {
            return (kernel[i] - 1) * dilations[i] + 1;
        }

        int kernelSize() {
            int n = 1;
            for (int k : kernel) {
                n *= k;
            }
            return n;
        }
    }

    Window(String op, Attributes a) {
        this.op = op;
        this.kernel = a.getIntsAsInt("kernel_shape", null);
        this.strides = a.getIntsAsInt("strides", null);
        this.dilations = a.getIntsAsInt("dilations", null);
        this.pads = a.getIntsAsInt("pads", null);
        this.autoPad = a.getString("auto_pad", "NOTSET");
        long ceil = a.getInt("ceil_mode", 0);
        if (ceil != 0 && ceil != 1) {
            throw new UnsupportedOpException(op + ": attribute ceil_mode=" + ceil + " is not supported (0 or 1)");
        }
        this.ceilMode = ceil == 1;
        if (!Arrays.asList("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID").contains(autoPad)) {
            throw new UnsupportedOpException(op + ": attribute auto_pad=" + autoPad
                    + " is not supported (NOTSET, SAME_UPPER, SAME_LOWER or VALID)");
        }
        positive("kernel_shape", kernel);
        positive("strides", strides);
        positive("dilations", dilations);
        if (pads != null) {
            for (int p : pads) {
                if (p < 0) {
                    throw new UnsupportedOpException(op + ": attribute pads=" + Arrays.toString(pads)
                            + " is not supported (pads must be >= 0)");
                }
            }
        }
    }

    private void positive(String name, int[] v) {
        if (v == null) {
            return;
        }
        for (int x : v) {
            if (x < 1) {
                throw new UnsupportedOpException(op + ": attribute " + name + "=" + Arrays.toString(v)
                        + " is not supported (values must be >= 1)");
            }
        }
    }

    private int[] orOnes(int[] v, int n, String name) {
        if (v == null) {
            int[] r = new int[n];
            Arrays.fill(r, 1);
            return r;
        }
        if (v.length != n) {
            throw new ShapeException(op + ": " + name + " " + Arrays.toString(v) + " has " + v.length
                    + " values but the input has " + n + " spatial dimensions");
        }
        return v;
    }

    int[] strides(int n) {
        return orOnes(strides, n, "strides").clone();
    }

    int[] dilations(int n) {
        return orOnes(dilations, n, "dilations").clone();
    }

    /** Explicit pads split into begin and end (zeros when absent). */
    int[][] explicitPads(int n) {
        int[] b = new int[n];
        int[] e = new int[n];
        if (pads != null) {
            if (pads.length != 2 * n) {
                throw new ShapeException(op + ": pads " + Arrays.toString(pads) + " should have " + 2 * n
                        + " values for " + n + " spatial dimensions");
            }
            System.arraycopy(pads, 0, b, 0, n);
            System.arraycopy(pads, n, e, 0, n);
        }
        return new int[][] {b, e};
    }

    /**
     * Output sizes and pads of a forward window (Conv, pooling) for the spatial input sizes.
     * kernelFromWeights (nullable) is used when kernel_shape is absent.
     */
    Resolved resolve(int[] in, int[] kernelFromWeights) {
        int n = in.length;
        int[] k = kernel != null ? kernel : kernelFromWeights;
        if (k == null) {
            throw new ShapeException(op + ": kernel_shape is required");
        }
        if (k.length != n) {
            throw new ShapeException(op + ": kernel_shape " + Arrays.toString(k) + " has " + k.length
                    + " values but the input has " + n + " spatial dimensions");
        }
        if (kernel != null && kernelFromWeights != null) {
            for (int i = 0; i < n; i++) {
                // the kernels size their loops by kernel_shape and index W by its own dims
                if (kernelFromWeights[i] >= 0 && kernel[i] != kernelFromWeights[i]) {
                    throw new ShapeException(op + ": kernel_shape " + Arrays.toString(kernel) + " does not match the"
                            + " weights' spatial sizes " + Arrays.toString(kernelFromWeights));
                }
            }
        }
        int[] s = orOnes(strides, n, "strides");
        int[] d = orOnes(dilations, n, "dilations");
        int[][] p = explicitPads(n);
        int[] pb = p[0];
        int[] pe = p[1];
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int ext = (k[i] - 1) * d[i] + 1;
            if (in[i] < 0) {
                out[i] = -1;
                continue;
            }
            switch (autoPad) {
                case "SAME_UPPER", "SAME_LOWER" -> {
                    out[i] = (in[i] + s[i] - 1) / s[i];
                    int total = Math.max(0, (out[i] - 1) * s[i] + ext - in[i]);
                    int small = total / 2;
                    pb[i] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    pe[i] = total - pb[i];
                }
                case "VALID" -> {
                    pb[i] = 0;
                    pe[i] = 0;
                    out[i] = in[i] >= ext ? (in[i] - ext) / s[i] + 1 : 0;
                }
                default -> {
                    int span = in[i] + pb[i] + pe[i] - ext;
                    if (span < 0) {
                        out[i] = 0;
                    } else if (ceilMode) {
                        out[i] = (span + s[i] - 1) / s[i] + 1;
                        // the last window must start inside the input or its leading padding
                        if ((out[i] - 1) * s[i] >= in[i] + pb[i]) {
                            out[i]--;
                        }
                    } else {
                        out[i] = span / s[i] + 1;
                    }
                }
            }
            if (out[i] <= 0) {
                throw new ShapeException(op + ": spatial input size " + in[i] + " is smaller than the kernel extent "
                        + ext + " (with padding " + pb[i] + "+" + pe[i] + ")");
            }
        }
        return new Resolved(in.clone(), out, k.clone(), s, d, pb, pe);
    }
}
