package dev.minnow.compress.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.pass.PassResult;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.onnx.Onnx;
import dev.minnow.onnx.ReadOptions;
import dev.minnow.onnx.backend.Backend;
import dev.minnow.onnx.backend.ModelRunner;
import dev.minnow.onnx.backend.OrtRunner;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.zoo.Zoo;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Half-precision weights: the file stores float16 / bfloat16 tensors (half the bytes), and both
 * executors compute exactly what the float model computes with its weights rounded to that type.
 */
class HalfPrecisionWeightsTest {

    @Test
    void float16AndBfloat16WeightsRunInBothExecutorsAsTheRoundedFloatModel() {
        for (DType t : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
            Graph g = Zoo.build("resnet20", 1); // convolutions, batch norm statistics, a dense layer
            PassResult r = new HalfPrecisionWeights(t).run(g);
            long converted = r.records().getFirst().count("initializers");
            assertTrue(converted > 40, "every conv, BN and dense tensor: " + converted);
            byte[] file = Onnx.toBytes(r.graph());
            Graph stored = Onnx.fromBytes(file, ReadOptions.defaults().withFoldConstants(false)); // as on disk
            long[] halfElems = {0};
            stored.initializers().forEach((name, x) -> {
                assertTrue(x.dtype() != DType.FLOAT32, name + " is still float32");
                if (x.dtype() == t) {
                    halfElems[0] += x.size();
                }
            });
            long[] floatElems = {0};
            g.initializers().forEach((name, x) -> floatElems[0] += x.dtype() == DType.FLOAT32 ? x.size() : 0);
            assertTrue(floatElems[0] >= g.paramCount(), "every parameter is a float32 initializer");
            assertEquals(floatElems[0], halfElems[0], t + ": all parameters and statistics");

            // the reference: the float model with each converted tensor rounded through the half type
            Graph rounded = g.copy();
            rounded.initializers().replaceAll((name, x) -> x.dtype() == DType.FLOAT32
                    ? x.cast(t).cast(DType.FLOAT32) : x);
            Tensor x = input(Shape.of(2, 3, 32, 32));
            Graph minnowReads = Onnx.fromBytes(file, ReadOptions.defaults().withUpcastHalf(true));
            try (ModelRunner ref = Backend.MINNOW.open(rounded, ExecutionOptions.DEFAULT, 1);
                 ModelRunner m = Backend.MINNOW.open(minnowReads, ExecutionOptions.DEFAULT, 1);
                 ModelRunner o = OrtRunner.of(file, OrtRunner.Options.threads(1));
                 ModelRunner oRef = Backend.ORT.open(rounded, ExecutionOptions.DEFAULT, 1)) {
                assertEquals(0, diff(ref.predict(x), m.predict(x)), t + " in Minnow");
                assertTrue(diff(oRef.predict(x), o.predict(x)) <= 1e-5, t + " in ONNX Runtime");
            }
        }
    }

    private static Tensor input(Shape s) {
        SplittableRandom r = new SplittableRandom(1);
        float[] a = new float[(int) s.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return Tensor.of(s, a);
    }

    private static double diff(Tensor a, Tensor b) {
        double d = 0;
        for (int i = 0; i < a.size(); i++) {
            d = Math.max(d, Math.abs(a.floats()[i] - b.floats()[i]));
        }
        return d;
    }

    @Test
    void onlyHalfTypesAreTargets() {
        assertThrows(InvalidInputException.class, () -> new HalfPrecisionWeights(DType.INT8));
    }
}
