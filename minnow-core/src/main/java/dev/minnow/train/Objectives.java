package dev.minnow.train;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/** The objectives: a loss on the student's output, a FitNets hint loss, and their weighted sum. */
public final class Objectives {
    private Objectives() {
    }

    /**
     * A {@link Loss} on the student's first output; the targets carry the labels and, with a
     * teacher, the teacher's first output as {@link Targets#values()} (logits distillation).
     */
    public static Objective loss(Loss loss) {
        return new Objective() {
            @Override
            public ObjectiveValue compute(ObjectiveInputs in) {
                LossValue v = loss.compute(in.studentOutput(), in.targets());
                return new ObjectiveValue(v.loss(), Map.of(in.studentOutputName(), v.gradient()), Map.of(loss.describe(), v.loss()));
            }

            @Override
            public String describe() {
                return loss.describe();
            }
        };
    }

    /**
     * Hint loss (FitNets, Romero et al. 2015): weight * mean((adapter(s) - t)^2) between a
     * student activation s and a teacher activation t, both NCHW with equal height and width.
     * The adapter is a learnable 1x1 convolution (no bias) from the student's channels to the
     * teacher's; it is added to the training graph only, so the exported student never has it.
     * One instance serves one trainer (it remembers the adapter's value name).
     */
    public static Objective hint(String studentValue, String teacherValue, double weight) {
        if (!(weight > 0)) {
            throw new InvalidInputException("hint weight must be positive, got " + weight);
        }
        return new Hint(studentValue, teacherValue, weight);
    }

    /** The sum of objectives; gradients for a value read by several are added, terms are merged. */
    public static Objective sum(Objective... parts) {
        List<Objective> list = List.of(parts);
        return new Objective() {
            @Override
            public Set<String> studentValues() {
                Set<String> s = new LinkedHashSet<>();
                list.forEach(o -> s.addAll(o.studentValues()));
                return s;
            }

            @Override
            public Set<String> teacherValues() {
                Set<String> s = new LinkedHashSet<>();
                list.forEach(o -> s.addAll(o.teacherValues()));
                return s;
            }

            @Override
            public void extend(GraphEditor trainingGraph, Graph teacher, long seed) {
                for (int i = 0; i < list.size(); i++) {
                    list.get(i).extend(trainingGraph, teacher, Seeds.mix(seed, i, 1));
                }
            }

            @Override
            public ObjectiveValue compute(ObjectiveInputs in) {
                double loss = 0;
                Map<String, Tensor> grads = new HashMap<>();
                Map<String, Double> terms = new LinkedHashMap<>();
                for (Objective o : list) {
                    ObjectiveValue v = o.compute(in);
                    loss += v.loss();
                    v.gradients().forEach((k, g) -> grads.merge(k, g, Objectives::add));
                    v.terms().forEach((k, t) -> terms.merge(k, t, Double::sum));
                }
                return new ObjectiveValue(loss, grads, terms);
            }

            @Override
            public String describe() {
                return String.join(" + ", list.stream().map(Objective::describe).toList());
            }
        };
    }

    private static Tensor add(Tensor a, Tensor b) {
        float[] x = a.floats();
        float[] y = b.floats();
        float[] s = new float[x.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = x[i] + y[i];
        }
        return Tensor.of(a.shape(), s);
    }

    private static final class Hint implements Objective {
        private final String studentValue;
        private final String teacherValue;
        private final double weight;
        private String adapted;

        Hint(String studentValue, String teacherValue, double weight) {
            this.studentValue = studentValue;
            this.teacherValue = teacherValue;
            this.weight = weight;
        }

        @Override
        public Set<String> studentValues() {
            return Set.of(adapted == null ? studentValue : adapted);
        }

        @Override
        public Set<String> teacherValues() {
            return Set.of(teacherValue);
        }

        @Override
        public void extend(GraphEditor e, Graph teacher, long seed) {
            if (teacher == null) {
                throw new InvalidInputException("a hint loss needs a teacher graph (Trainer.teacher(Graph))");
            }
            TensorType s = e.type(studentValue);
            TensorType t = teacher.validate().type(teacherValue);
            if (s == null || t == null) {
                throw new InvalidInputException("hint: no " + (s == null ? "student value '" + studentValue + "'"
                        : "teacher value '" + teacherValue + "'"));
            }
            if (s.shape().rank() != 4 || t.shape().rank() != 4) {
                throw new ShapeException("hint: the student value " + s.shape() + " and teacher value " + t.shape()
                        + " must both be NCHW");
            }
            int in = s.shape().dim(1);
            int out = t.shape().dim(1);
            // Kaiming uniform over the fan-in, as a fresh conv layer would start
            float[] w = new float[out * in];
            SplittableRandom r = new SplittableRandom(seed);
            double bound = Math.sqrt(6.0 / in);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) r.nextDouble(-bound, bound);
            }
            String weightName = e.addInitializer("hint_adapter." + studentValue + ".weight", Tensor.of(Shape.of(out, in, 1, 1), w));
            Attributes a = Attributes.of("kernel_shape", new long[] {1, 1}, "strides", new long[] {1, 1},
                    "pads", new long[] {0, 0, 0, 0}, "dilations", new long[] {1, 1}, "group", 1L);
            adapted = e.addNode("hint_adapter." + studentValue, OpRegistry.global().create("Conv", a),
                    List.of(studentValue, weightName), 1).output(0);
        }

        @Override
        public ObjectiveValue compute(ObjectiveInputs in) {
            if (adapted == null) {
                throw new IllegalStateException("hint objective used before extend() added its adapter");
            }
            Tensor a = in.student(adapted);
            Tensor t = in.teacher(teacherValue);
            if (!a.shape().equals(t.shape())) {
                throw new ShapeException("hint: the adapted student value has shape " + a.shape() + " but the teacher value '"
                        + teacherValue + "' has " + t.shape());
            }
            float[] x = a.floats();
            float[] y = t.floats();
            float[] g = new float[x.length];
            double sum = 0;
            double scale = 2 * weight / x.length;
            for (int i = 0; i < x.length; i++) {
                double d = (double) x[i] - y[i];
                sum += d * d;
                g[i] = (float) (scale * d);
            }
            double loss = weight * sum / x.length;
            return new ObjectiveValue(loss, Map.of(adapted, Tensor.of(a.shape(), g)), Map.of("hint", loss));
        }

        @Override
        public String describe() {
            return "hint(" + studentValue + " -> " + teacherValue + ", weight=" + weight + ")";
        }
    }
}
