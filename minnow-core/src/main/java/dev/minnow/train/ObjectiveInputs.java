package dev.minnow.train;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Tensor;
import java.util.Map;

/**
 * What an {@link Objective} sees for one batch: the student's outputs and taps, the
 * teacher's (empty without a teacher), the names of their first outputs, and the targets.
 */
public record ObjectiveInputs(Map<String, Tensor> student, String studentOutputName, Map<String, Tensor> teacher,
                              String teacherOutputName, Targets targets) {
    public Tensor student(String name) {
        return get(student, name, "student");
    }

    public Tensor teacher(String name) {
        return get(teacher, name, "teacher");
    }

    /** The student's first graph output (the logits of a classifier). */
    public Tensor studentOutput() {
        return student(studentOutputName);
    }

    private static Tensor get(Map<String, Tensor> values, String name, String who) {
        Tensor t = values.get(name);
        if (t == null) {
            throw new InvalidInputException("the objective reads " + who + " value '" + name + "', which was not computed"
                    + " (list it in the objective's " + who + "Values())");
        }
        return t;
    }
}
