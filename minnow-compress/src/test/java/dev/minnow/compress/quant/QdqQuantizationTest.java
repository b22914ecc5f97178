package dev.minnow.compress.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.onnx.Onnx;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.zoo.GraphBuilder;
import dev.minnow.zoo.Zoo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QdqQuantizationTest {
    static List<Tensor> batches(int count, int n, int c, int h, long seed) {
        Random r = new Random(seed);
        List<Tensor> out = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            float[] v = new float[n * c * h * h];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian();
            }
            out.add(Tensor.of(Shape.of(n, c, h, h), v));
        }
        return out;
    }

    static Graph torchResnet8() throws IOException {
        Path dir = Files.createTempDirectory("golden");
        try (InputStream in = QdqQuantizationTest.class.getResourceAsStream("/golden/torch-resnet8.onnx")) {
            Path p = dir.resolve("torch-resnet8.onnx");
            Files.copy(in, p);
            return Onnx.read(p);
        }
    }

    private static long count(Graph g, String op) {
        return g.nodes().stream().filter(n -> n.opType().equals(op)).count();
    }

    @Test
    void lenet5BecomesQdqWithIntegerWeightsAndBiases() {
        Graph g = Zoo.build("lenet5", 1);
        PostTrainingQuantizer.Result r = PostTrainingQuantizer.quantize(g, batches(4, 8, 1, 28, 2),
                PostTrainingQuantizer.Settings.int8("minmax"));
        Graph q = r.graph();
        assertEquals(0, count(q, "Relu"), "the dense layer's ReLU is absorbed into its output quantization");
        for (Node n : q.nodes()) {
            if (List.of("Conv", "Gemm").contains(n.opType())) {
                Node wdq = q.producer(n.input(1));
                assertEquals("DequantizeLinear", wdq.opType(), n.name());
                Tensor w = q.initializers().get(wdq.input(0));
                assertEquals(DType.INT8, w.dtype());
                Tensor ws = q.initializers().get(wdq.input(1));
                int axis = n.opType().equals("Conv") ? 0 : 0; // zoo Gemm has transB = 1
                assertEquals(w.shape().dim(axis), ws.size(), "per-channel scales on the output axis");
                assertEquals(axis, wdq.attributes().getInt("axis", 1));
                for (byte b : w.bytes()) {
                    assertTrue(b >= -127, "narrow range: -128 is never used");
                }
                Node bdq = q.producer(n.input(2));
                Tensor bias = q.initializers().get(bdq.input(0));
                assertEquals(DType.INT32, bias.dtype());
                Node xdq = q.producer(n.input(0));
                float xs = (float) q.initializers().get(xdq.input(1)).getDouble(0);
                Tensor bs = q.initializers().get(bdq.input(1));
                for (int c = 0; c < bs.size(); c++) {
                    assertEquals(xs * (float) ws.getDouble(c), (float) bs.getDouble(c), 0f, "bias scale = x_scale * w_scale");
                }
            }
        }
        assertEquals("logits", q.outputs().getFirst().name());
        assertTrue(r.floatNodes().isEmpty(), r.floatNodes().toString());
        // LeNet-5: 430,500 weights of 431,080 parameters, a quarter the size and a bit more for scales
        assertTrue(r.sizeBytesAfter() < 0.27 * r.sizeBytesBefore(), r.sizeBytesAfter() + " vs " + r.sizeBytesBefore());
        // in Minnow, the convolutions run as QLinearConv and the result stays close to the float model
        InferenceExecutor ex = InferenceExecutor.of(q);
        assertEquals(2, ex.graph().nodes().stream().filter(n -> n.opType().equals("QLinearConv")).count());
        Tensor x = batches(1, 16, 1, 28, 9).getFirst();
        float[] ref = InferenceExecutor.of(g).run(x).floats();
        float[] got = ex.run(x).floats();
        assertTrue(PostTrainingQuantizer.sqnrDb(ref, got) > 25, "SQNR " + PostTrainingQuantizer.sqnrDb(ref, got));
        for (PostTrainingQuantizer.Layer l : r.layers()) {
            if (l.op().equals("Conv")) {
                assertTrue(l.weightSqnrDb() > 30 && l.outputSqnrDb() > 20, l.toString());
            }
        }
    }

    @Test
    void residualNetKeepsQdqOnAddAndSharesPassThroughParameters() throws IOException {
        Graph g = torchResnet8();
        List<Tensor> calib = batches(4, 4, 3, 32, 3);
        PostTrainingQuantizer.Result r = PostTrainingQuantizer.quantize(g, calib, PostTrainingQuantizer.Settings.int8("entropy"));
        Graph q = r.graph();
        for (Node add : q.nodes()) {
            if (add.opType().equals("Add")) {
                assertEquals("DequantizeLinear", q.producer(add.input(0)).opType());
                assertEquals("DequantizeLinear", q.producer(add.input(1)).opType());
                assertEquals("QuantizeLinear", q.consumers(add.output(0)).getFirst().opType(), "Add's ReLU absorbed");
            }
        }
        assertEquals(0, count(q, "Relu"));
        Node flatten = q.nodes().stream().filter(n -> n.opType().equals("Flatten")).findFirst().orElseThrow();
        Node dqIn = q.producer(flatten.input(0));
        Node qOut = q.consumers(flatten.output(0)).getFirst();
        assertEquals(q.initializers().get(dqIn.input(1)).getDouble(0), q.initializers().get(qOut.input(1)).getDouble(0),
                "Flatten shares its input's scale");
        InferenceExecutor ex = InferenceExecutor.of(q);
        assertEquals(count(g, "Conv"), ex.graph().nodes().stream().filter(n -> n.opType().equals("QLinearConv")).count());
        Tensor x = batches(1, 8, 3, 32, 11).getFirst();
        float[] ref = InferenceExecutor.of(g).run(x).floats();
        float[] got = ex.run(x).floats();
        assertTrue(PostTrainingQuantizer.sqnrDb(ref, got) > 30, "SQNR " + PostTrainingQuantizer.sqnrDb(ref, got));
        for (String m : List.of("minmax", "percentile", "mse")) { // every method keeps the logits close (~40 dB)
            Graph qm = PostTrainingQuantizer.quantize(g, calib, PostTrainingQuantizer.Settings.int8(m)).graph();
            double sqnr = PostTrainingQuantizer.sqnrDb(ref, InferenceExecutor.of(qm).run(x).floats());
            assertTrue(sqnr > 30, m + ": SQNR " + sqnr);
        }
    }

    @Test
    void fixedWeightParametersAreUsedAsGiven() {
        Graph g = Zoo.build("lenet5", 1);
        PostTrainingQuantizer.Result base = PostTrainingQuantizer.quantize(g, batches(1, 4, 1, 28, 2),
                PostTrainingQuantizer.Settings.int8("minmax"));
        String w = base.weights().keySet().iterator().next();
        QuantParams p = base.weights().get(w);
        float[] doubled = p.scale().clone();
        for (int c = 0; c < doubled.length; c++) {
            doubled[c] *= 2;
        }
        QuantParams fixed = new QuantParams(p.scheme(), doubled, p.zeroPoint(), p.axis());
        PostTrainingQuantizer.Result r = PostTrainingQuantizer.quantize(g, batches(1, 4, 1, 28, 2),
                PostTrainingQuantizer.Settings.int8("minmax"), Map.of(w, fixed), x -> x, null);
        Graph q = r.graph();
        Tensor s = q.initializers().get(w + "_scale");
        assertNotNull(s, q.initializers().keySet().toString());
        assertEquals(doubled[0], (float) s.getDouble(0));
        QuantParams wrong = new QuantParams(p.scheme(), new float[] {1, 2}, new int[] {0, 0}, 0);
        assertThrows(InvalidInputException.class, () -> PostTrainingQuantizer.quantize(g, batches(1, 4, 1, 28, 2),
                PostTrainingQuantizer.Settings.int8("minmax"), Map.of(w, wrong), x -> x, null));
    }

    @Test
    void badCalibrationAndModelsWithoutIntegerOpsAreClearErrors() {
        Graph g = Zoo.build("lenet5", 1);
        var s = PostTrainingQuantizer.Settings.int8("percentile");
        InvalidInputException empty = assertThrows(InvalidInputException.class,
                () -> PostTrainingQuantizer.quantize(g, List.of(), s));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        InvalidInputException shape = assertThrows(InvalidInputException.class,
                () -> PostTrainingQuantizer.quantize(g, batches(1, 2, 3, 32, 1), s));
        assertTrue(shape.getMessage().contains("shape"), shape.getMessage());
        Tensor nan = batches(1, 2, 1, 28, 1).getFirst();
        nan.floats()[5] = Float.NaN;
        InvalidInputException nanErr = assertThrows(InvalidInputException.class,
                () -> PostTrainingQuantizer.quantize(g, List.of(nan), s));
        assertTrue(nanErr.getMessage().contains("NaN"), nanErr.getMessage());
        var b = GraphBuilder.named("softmax-only");
        var x = b.input("input", Shape.of(-1, 10));
        b.output("p", b.softmax(x));
        Graph soft = b.build();
        InvalidInputException none = assertThrows(InvalidInputException.class,
                () -> PostTrainingQuantizer.quantize(soft, List.of(Tensor.of(Shape.of(1, 10), new float[10])), s));
        assertTrue(none.getMessage().contains("nothing to quantize"), none.getMessage());
    }

    @Test
    void opsWithoutIntegerPathAreListed() {
        var b = GraphBuilder.named("conv-sigmoid");
        var x = b.input("input", Shape.of(-1, 1, 8, 8));
        var y = b.conv(x, 4, 3);
        y = b.softmax(y);
        b.output("out", b.conv(y, 2, 3));
        Graph g = b.build();
        PostTrainingQuantizer.Result r = PostTrainingQuantizer.quantize(g, batches(2, 2, 1, 8, 4),
                PostTrainingQuantizer.Settings.int8("mse"));
        assertEquals(1, r.floatNodes().size(), r.floatNodes().toString());
        assertTrue(r.floatNodes().getFirst().startsWith("Softmax"));
        assertEquals(3, count(r.graph(), "DequantizeLinear") - 4, "besides 4 for weights and biases: the input, conv1 -> softmax, softmax -> conv2");
    }
}
