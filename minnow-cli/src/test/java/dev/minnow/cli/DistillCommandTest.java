package dev.minnow.cli;

import static dev.minnow.cli.FoundationEndToEndTest.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Datasets;
import dev.minnow.graph.Graph;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.onnx.Onnx;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * `minnow distill` as a user calls it. The teacher is an untrained LeNet-300-100 (seed 1) and the
 * student the same architecture from seed 2, taught with soft targets only (alpha 1): if the
 * teacher's outputs reach the loss, the student learns the teacher's (wrong) answers rather than
 * the labels, which a run that ignored the teacher could not do.
 */
class DistillCommandTest {

    @Test
    void studentLearnsTheTeachersFunctionNotTheLabels() throws Exception {
        Path dir = Files.createTempDirectory("distill");
        Path teacherFile = dir.resolve("teacher.onnx");
        Onnx.write(Models.load("lenet-300-100", 1), teacherFile);
        Path out = dir.resolve("student.onnx");
        Cli r = Cli.run("distill", "--teacher", teacherFile.toString(), "--student", "lenet-300-100", "--dataset", "mnist",
                "--data-dir", Cli.dataDir().toString(), "--alpha", "1", "--temperature", "0.25", "--epochs", "1",
                "--lr", "0.05", "--seed", "2", "--out", out.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        String j = r.json();
        assertTrue(j.contains("\"teacher\"") && j.contains("\"alpha\":1.0"), j);
        double top1 = number(j, "test_top1");

        DatasetSplit mnist = Datasets.load("mnist", Cli.dataDir());
        Graph teacher = Onnx.read(teacherFile);
        Graph student = Onnx.read(out);
        InferenceExecutor t = InferenceExecutor.of(teacher, ExecutionOptions.DEFAULT);
        InferenceExecutor s = InferenceExecutor.of(student, ExecutionOptions.DEFAULT);
        int n = 500;
        int agree = 0;
        float[] x = new float[28 * 28];
        for (int i = 0; i < n; i++) {
            mnist.test().copySample(i, x, 0);
            mnist.normalization().applyInPlace(x, 0, 28 * 28);
            Tensor in = Tensor.of(Shape.of(1, 1, 28, 28), x.clone());
            agree += QatCommandTest.argmax(t.run(in).floats()) == QatCommandTest.argmax(s.run(in).floats()) ? 1 : 0;
        }
        assertTrue(agree >= 0.6 * n, "student agrees with the teacher on " + agree + " of " + n);
        assertTrue(top1 < 0.5, "an untrained teacher's answers are mostly wrong, so the student's are too: " + top1);
    }

    @Test
    void badInputNamesTheOption() throws Exception {
        Path dir = Files.createTempDirectory("distill");
        Path teacherFile = dir.resolve("teacher.onnx");
        Onnx.write(Models.load("lenet5", 1), teacherFile);
        String data = Cli.dataDir().toString();
        Cli alpha = Cli.run("distill", "--teacher", teacherFile.toString(), "--student", "lenet5", "--dataset", "mnist",
                "--data-dir", data, "--alpha", "1.5");
        assertEquals(2, alpha.exitCode());
        assertTrue(alpha.err().contains("--alpha"), alpha.err());
        Cli hint = Cli.run("distill", "--teacher", teacherFile.toString(), "--student", "lenet5", "--dataset", "mnist",
                "--data-dir", data, "--hint", "nocolon");
        assertEquals(2, hint.exitCode());
        assertTrue(hint.err().contains("TEACHER_VALUE:STUDENT_VALUE"), hint.err());
        Cli value = Cli.run("distill", "--teacher", teacherFile.toString(), "--student", "lenet5", "--dataset", "mnist",
                "--data-dir", data, "--hint", "no_such_value:x");
        assertEquals(2, value.exitCode());
        assertTrue(value.err().contains("no value 'no_such_value'"), value.err());
        Cli trainOption = Cli.run("distill", "--teacher", teacherFile.toString(), "--student", "lenet5", "--dataset",
                "mnist", "--data-dir", data, "--epochs", "zero");
        assertEquals(2, trainOption.exitCode());
        assertTrue(trainOption.err().contains("zero"), trainOption.err());
        assertTrue(!alpha.err().contains("\tat ") && !trainOption.err().contains("\tat "), "no stack traces");
    }
}
