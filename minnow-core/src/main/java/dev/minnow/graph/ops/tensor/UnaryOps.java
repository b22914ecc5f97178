package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpRegistry;
import dev.minnow.tensor.DType;

/**
 * The element-wise math and activation ops, each one line: ONNX name, attributes with their
 * ONNX defaults, forward function, derivative dy/dx(x, y). Ops whose gradient is zero almost
 * everywhere (Floor, Sign, ...) get a zero derivative so training can pass through them.
 */
final class UnaryOps {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    private UnaryOps() {
    }

    static void register(OpRegistry r) {
        // any numeric type
        any(r, "Abs", Math::abs, (x, y) -> Math.signum(x));
        any(r, "Neg", x -> -x, (x, y) -> -1);
        any(r, "Sign", Math::signum, (x, y) -> 0);
        r.register("Relu", a -> new UnaryOp("Relu", a, x -> x > 0 ? x : 0, (x, y) -> x > 0 ? 1 : 0, false, null,
                UnaryOps::reluForward, UnaryOps::reluBackward));
        r.register("Not", a -> new UnaryOp("Not", a, x -> x == 0 ? 1 : 0, null, false));
        r.register("BitwiseNot", a -> new UnaryOp("BitwiseNot", a, x -> ~(long) x, null, false));
        r.register("IsNaN", a -> new UnaryOp("IsNaN", a, x -> Double.isNaN(x) ? 1 : 0, null, true, DType.BOOL));
        r.register("IsInf", a -> {
            boolean neg = a.getInt("detect_negative", 1) != 0;
            boolean pos = a.getInt("detect_positive", 1) != 0;
            return new UnaryOp("IsInf", a, x -> x == Double.POSITIVE_INFINITY && pos || x == Double.NEGATIVE_INFINITY && neg ? 1 : 0,
                    null, true, DType.BOOL);
        });
        r.register("Shrink", a -> {
            double lambd = a.getFloat("lambd", 0.5);
            double bias = a.getFloat("bias", 0);
            return new UnaryOp("Shrink", a, x -> x < -lambd ? x + bias : x > lambd ? x - bias : 0,
                    (x, y) -> x < -lambd || x > lambd ? 1 : 0, false);
        });
        // floating point only
        flt(r, "Sigmoid", UnaryOps::sigmoid, (x, y) -> y * (1 - y));
        flt(r, "Tanh", Math::tanh, (x, y) -> 1 - y * y);
        flt(r, "Sqrt", Math::sqrt, (x, y) -> 0.5 / y);
        flt(r, "Exp", Math::exp, (x, y) -> y);
        flt(r, "Log", Math::log, (x, y) -> 1 / x);
        flt(r, "Reciprocal", x -> 1 / x, (x, y) -> -y * y);
        flt(r, "Floor", Math::floor, (x, y) -> 0);
        flt(r, "Ceil", Math::ceil, (x, y) -> 0);
        flt(r, "Round", Math::rint, (x, y) -> 0);
        flt(r, "Erf", UnaryOps::erf, (x, y) -> 2 / Math.sqrt(Math.PI) * Math.exp(-x * x));
        flt(r, "Sin", Math::sin, (x, y) -> Math.cos(x));
        flt(r, "Cos", Math::cos, (x, y) -> -Math.sin(x));
        flt(r, "Tan", Math::tan, (x, y) -> 1 + y * y);
        flt(r, "Asin", Math::asin, (x, y) -> 1 / Math.sqrt(1 - x * x));
        flt(r, "Acos", Math::acos, (x, y) -> -1 / Math.sqrt(1 - x * x));
        flt(r, "Atan", Math::atan, (x, y) -> 1 / (1 + x * x));
        flt(r, "Sinh", Math::sinh, (x, y) -> Math.cosh(x));
        flt(r, "Cosh", Math::cosh, (x, y) -> Math.sinh(x));
        flt(r, "Asinh", x -> Math.log(x + Math.sqrt(x * x + 1)), (x, y) -> 1 / Math.sqrt(x * x + 1));
        flt(r, "Acosh", x -> Math.log(x + Math.sqrt(x * x - 1)), (x, y) -> 1 / Math.sqrt(x * x - 1));
        flt(r, "Atanh", x -> 0.5 * Math.log((1 + x) / (1 - x)), (x, y) -> 1 / (1 - x * x));
        flt(r, "Softplus", UnaryOps::softplus, (x, y) -> sigmoid(x));
        flt(r, "Softsign", x -> x / (1 + Math.abs(x)), (x, y) -> 1 / ((1 + Math.abs(x)) * (1 + Math.abs(x))));
        flt(r, "HardSwish", x -> x * Math.max(0, Math.min(1, x / 6 + 0.5)),
                (x, y) -> x < -3 ? 0 : x > 3 ? 1 : x / 3 + 0.5);
        flt(r, "Mish", x -> x * Math.tanh(softplus(x)), (x, y) -> {
            double t = Math.tanh(softplus(x));
            return t + x * (1 - t * t) * sigmoid(x);
        });
        r.register("LeakyRelu", a -> {
            double alpha = a.getFloat("alpha", 0.01);
            return new UnaryOp("LeakyRelu", a, x -> x >= 0 ? x : alpha * x, (x, y) -> x >= 0 ? 1 : alpha, true);
        });
        r.register("Elu", a -> {
            double alpha = a.getFloat("alpha", 1.0);
            return new UnaryOp("Elu", a, x -> x > 0 ? x : alpha * (Math.exp(x) - 1), (x, y) -> x > 0 ? 1 : y + alpha, true);
        });
        r.register("Selu", a -> {
            double alpha = a.getFloat("alpha", 1.67326319217681884765625);
            double gamma = a.getFloat("gamma", 1.05070102214813232421875);
            return new UnaryOp("Selu", a, x -> x > 0 ? gamma * x : gamma * alpha * (Math.exp(x) - 1),
                    (x, y) -> x > 0 ? gamma : gamma * alpha * Math.exp(x), true);
        });
        r.register("Celu", a -> {
            double alpha = a.getFloat("alpha", 1.0);
            return new UnaryOp("Celu", a, x -> Math.max(0, x) + Math.min(0, alpha * (Math.exp(x / alpha) - 1)),
                    (x, y) -> x > 0 ? 1 : Math.exp(x / alpha), true);
        });
        r.register("HardSigmoid", a -> {
            double alpha = a.getFloat("alpha", 0.2);
            double beta = a.getFloat("beta", 0.5);
            return new UnaryOp("HardSigmoid", a, x -> Math.max(0, Math.min(1, alpha * x + beta)),
                    (x, y) -> alpha * x + beta > 0 && alpha * x + beta < 1 ? alpha : 0, true);
        });
        r.register("ThresholdedRelu", a -> {
            double alpha = a.getFloat("alpha", 1.0);
            return new UnaryOp("ThresholdedRelu", a, x -> x > alpha ? x : 0, (x, y) -> x > alpha ? 1 : 0, true);
        });
        r.register("Gelu", UnaryOps::gelu);
    }

    private static void any(OpRegistry r, String type, UnaryOp.Fn f, UnaryOp.Derivative d) {
        r.register(type, a -> new UnaryOp(type, a, f, d, false));
    }

    private static void flt(OpRegistry r, String type, UnaryOp.Fn f, UnaryOp.Derivative d) {
        r.register(type, a -> new UnaryOp(type, a, f, d, true));
    }

    private static UnaryOp gelu(Attributes a) {
        String approximate = a.getString("approximate", "none");
        return switch (approximate) {
            case "none" -> new UnaryOp("Gelu", a, x -> 0.5 * x * (1 + erf(x / Math.sqrt(2))),
                    (x, y) -> 0.5 * (1 + erf(x / Math.sqrt(2))) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x), true);
            case "tanh" -> new UnaryOp("Gelu", a, x -> 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))),
                    (x, y) -> {
                        double t = Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x));
                        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
                    }, true);
            default -> throw new dev.minnow.errors.UnsupportedOpException(
                    "op Gelu: attribute approximate=" + approximate + " is not supported (supported: none, tanh)");
        };
    }

    /** Relu on float32 without branches (the sign of random activations defeats branch prediction). */
    static void reluForward(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(x[i], 0f);
        }
    }

    /** gx = g where y > 0: y >= 0, so (bits(y) - 1) >> 31 is 0 for y > 0 and -1 for y == 0. */
    static void reluBackward(float[] x, float[] y, float[] g, float[] gx) {
        for (int i = 0; i < x.length; i++) {
            int keep = ~((Float.floatToRawIntBits(y[i]) - 1) >> 31);
            gx[i] = Float.intBitsToFloat(Float.floatToRawIntBits(g[i]) & keep);
        }
    }

    /** 1 / (1 + e^-x): exact enough in double for every x (e^-x overflows to infinity, giving 0), and branch-free. */
    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /**
     * Error function: Maclaurin series for |x| < 0.5, else 1 - erfc with the Chebyshev-fitted
     * erfc of Numerical Recipes (fractional error below 1.2e-7, enough for float32).
     */
    static double erf(double x) {
        double z = Math.abs(x);
        if (z < 0.5) {
            double term = x;
            double sum = x;
            double x2 = x * x;
            for (int n = 1; n < 20; n++) {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            return 2 / Math.sqrt(Math.PI) * sum;
        }
        double t = 1 / (1 + 0.5 * z);
        double erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - erfc : erfc - 1;
    }
}
