package dev.minnow.onnx.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.errors.MinnowException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.OpRegistry;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.onnx.Onnx;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.zoo.Zoo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The two executors behind ModelRunner run the same graph to the same outputs. */
class BackendTest {

    private static Tensor randomInput(Shape s, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[(int) s.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return Tensor.of(s, a);
    }

    private static double maxAbsDiff(Tensor a, Tensor b) {
        assertEquals(a.shape(), b.shape());
        double d = 0;
        for (int i = 0; i < a.size(); i++) {
            d = Math.max(d, Math.abs(a.floats()[i] - b.floats()[i]));
        }
        return d;
    }

    @Test
    void minnowAndOnnxRuntimeAgreeOnZooModelsFromGraphAndFromFile() throws Exception {
        for (String name : new String[] {"lenet5", "lenet-300-100"}) {
            Graph g = Zoo.build(name, 3);
            Shape in = Shape.of(4, 1, 28, 28);
            Tensor x = randomInput(in, 11);
            Path file = Files.createTempDirectory("backend").resolve(name + ".onnx");
            Onnx.write(g, file);
            try (ModelRunner m = Backend.MINNOW.open(g, ExecutionOptions.DEFAULT, 2);
                 ModelRunner o = Backend.ORT.open(g, ExecutionOptions.DEFAULT, 2);
                 ModelRunner f = Backend.ORT.open(file, g, ExecutionOptions.DEFAULT, 1)) {
                assertEquals(Backend.MINNOW, m.backend());
                assertEquals(Backend.ORT, o.backend());
                assertEquals(m.inputNames(), o.inputNames());
                Tensor a = m.predict(x);
                Tensor b = o.predict(x);
                Tensor c = f.predict(x);
                double scale = 0;
                for (float v : b.floats()) {
                    scale = Math.max(scale, Math.abs(v));
                }
                assertTrue(scale > 0, "a non-trivial output");
                assertTrue(maxAbsDiff(a, b) <= 1e-4 * scale, name + ": " + maxAbsDiff(a, b));
                assertEquals(0, maxAbsDiff(b, c), "the file and the graph are the same model to ONNX Runtime");
            }
        }
    }

    @Test
    void aModelOnnxRuntimeCannotLoadNamesItsReason() {
        Graph g = Zoo.build("lenet-300-100", 1);
        GraphEditor e = new GraphEditor(g);
        String scale = e.addInitializer("fq_scale", Tensor.scalar(0.05f));
        e.insertAfter(g.inputs().getFirst().name(), "fq",
                OpRegistry.global().create(OpRegistry.MINNOW_DOMAIN, "FakeQuantize", Attributes.of()), scale);
        Graph withMinnowOp = e.commit();
        MinnowException ex = assertThrows(MinnowException.class,
                () -> Backend.ORT.open(withMinnowOp, ExecutionOptions.DEFAULT, 1));
        assertTrue(ex.getMessage().startsWith("ONNX Runtime cannot load the model: "), ex.getMessage());
        assertTrue(ex.getMessage().contains("FakeQuantize") || ex.getMessage().contains("dev.minnow"),
                "ONNX Runtime's own reason is kept: " + ex.getMessage());
        // Minnow runs it
        try (ModelRunner m = Backend.MINNOW.open(withMinnowOp, ExecutionOptions.DEFAULT, 1)) {
            assertEquals(10, m.predict(randomInput(Shape.of(1, 1, 28, 28), 2)).size());
        }
    }

    @Test
    void backendNamesParseAndUnknownOnesAreRefused() {
        assertEquals(Backend.ORT, Backend.parse("ORT"));
        assertEquals(Backend.MINNOW, Backend.parse("minnow"));
        InvalidInputException ex = assertThrows(InvalidInputException.class, () -> Backend.parse("tvm"));
        assertTrue(ex.getMessage().contains("minnow") && ex.getMessage().contains("ort"), ex.getMessage());
    }
}
