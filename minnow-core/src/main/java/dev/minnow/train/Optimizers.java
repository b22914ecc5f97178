package dev.minnow.train;

import dev.minnow.errors.InvalidInputException;

/**
 * The optimizers, with PyTorch's update rules and defaults so results can be compared.
 * Penalties are set on the returned {@link Optimizer}.
 */
public final class Optimizers {
    private Optimizers() {
    }

    /** Plain SGD: w -= lr g. */
    public static Optimizer sgd(double lr) {
        return new Optimizer(lr) {
            @Override
            protected void update(String name, float[] w, float[] g, double lr, long t) {
                for (int i = 0; i < w.length; i++) {
                    w[i] -= (float) (lr * g[i]);
                }
            }

            @Override
            public String describe() {
                return "sgd(lr=" + learningRate() + penalties() + ")";
            }
        };
    }

    /**
     * Heavy-ball momentum: v = m v + g; w -= lr v. Nesterov: w -= lr (g + m v).
     */
    public static Optimizer momentum(double lr, double momentum, boolean nesterov) {
        check("momentum", momentum, 0, 1);
        return new Optimizer(lr) {
            @Override
            protected void update(String name, float[] w, float[] g, double lr, long t) {
                float[] v = slot(name, "velocity", w.length);
                for (int i = 0; i < w.length; i++) {
                    v[i] = (float) (momentum * v[i] + g[i]);
                    double d = nesterov ? g[i] + momentum * v[i] : v[i];
                    w[i] -= (float) (lr * d);
                }
            }

            @Override
            public String describe() {
                return (nesterov ? "nesterov" : "momentum") + "(lr=" + learningRate() + ", momentum=" + momentum + penalties() + ")";
            }
        };
    }

    /** AdaGrad: s += g^2; w -= lr g / (sqrt(s) + 1e-10). */
    public static Optimizer adagrad(double lr) {
        return new Optimizer(lr) {
            @Override
            protected void update(String name, float[] w, float[] g, double lr, long t) {
                float[] s = slot(name, "sum_sq", w.length);
                for (int i = 0; i < w.length; i++) {
                    s[i] += g[i] * g[i];
                    w[i] -= (float) (lr * g[i] / (Math.sqrt(s[i]) + 1e-10));
                }
            }

            @Override
            public String describe() {
                return "adagrad(lr=" + learningRate() + penalties() + ")";
            }
        };
    }

    /** RMSProp with alpha 0.99, eps 1e-8. */
    public static Optimizer rmsprop(double lr) {
        return rmsprop(lr, 0.99, 1e-8);
    }

    /** RMSProp: s = a s + (1 - a) g^2; w -= lr g / (sqrt(s) + eps). */
    public static Optimizer rmsprop(double lr, double alpha, double eps) {
        check("alpha", alpha, 0, 1);
        return new Optimizer(lr) {
            @Override
            protected void update(String name, float[] w, float[] g, double lr, long t) {
                float[] s = slot(name, "mean_sq", w.length);
                for (int i = 0; i < w.length; i++) {
                    s[i] = (float) (alpha * s[i] + (1 - alpha) * g[i] * g[i]);
                    w[i] -= (float) (lr * g[i] / (Math.sqrt(s[i]) + eps));
                }
            }

            @Override
            public String describe() {
                return "rmsprop(lr=" + learningRate() + ", alpha=" + alpha + ", eps=" + eps + penalties() + ")";
            }
        };
    }

    /** Adam with betas (0.9, 0.999), eps 1e-8; weight decay is coupled L2. */
    public static Optimizer adam(double lr) {
        return adam(lr, 0.9, 0.999, 1e-8);
    }

    public static Optimizer adam(double lr, double beta1, double beta2, double eps) {
        return new Adam(lr, beta1, beta2, eps, false);
    }

    /** AdamW (Loshchilov and Hutter): Adam plus w -= lr * decay * w, decoupled from the gradient. Default decay 0.01. */
    public static Optimizer adamw(double lr) {
        return adamw(lr, 0.01);
    }

    public static Optimizer adamw(double lr, double weightDecay) {
        return new Adam(lr, 0.9, 0.999, 1e-8, true).weightDecay(weightDecay);
    }

    /** m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps). */
    private static final class Adam extends Optimizer {
        private final double beta1;
        private final double beta2;
        private final double eps;
        private final boolean decoupled;

        Adam(double lr, double beta1, double beta2, double eps, boolean decoupled) {
            super(lr);
            this.beta1 = check("beta1", beta1, 0, 1);
            this.beta2 = check("beta2", beta2, 0, 1);
            this.eps = eps;
            this.decoupled = decoupled;
        }

        @Override
        protected boolean decoupledWeightDecay() {
            return decoupled;
        }

        @Override
        protected void update(String name, float[] w, float[] g, double lr, long t) {
            float[] m = slot(name, "m", w.length);
            float[] v = slot(name, "v", w.length);
            double c1 = 1 - Math.pow(beta1, t);
            double c2 = 1 - Math.pow(beta2, t);
            double decay = decoupled ? lr * parameterWeightDecay() : 0;
            for (int i = 0; i < w.length; i++) {
                if (decay != 0) {
                    w[i] -= (float) (decay * w[i]);
                }
                m[i] = (float) (beta1 * m[i] + (1 - beta1) * g[i]);
                v[i] = (float) (beta2 * v[i] + (1 - beta2) * g[i] * g[i]);
                w[i] -= (float) (lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps));
            }
        }

        @Override
        public String describe() {
            return (decoupled ? "adamw" : "adam") + "(lr=" + learningRate() + ", betas=" + beta1 + "/" + beta2
                    + ", eps=" + eps + penalties() + ")";
        }
    }

    private static double check(String what, double v, double lo, double hi) {
        if (!(v >= lo && v < hi)) {
            throw new InvalidInputException(what + " must be in [" + lo + ", " + hi + "), got " + v);
        }
        return v;
    }
}
