package dev.minnow.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The already-quantized shared MobileNets (QDQ int8, opset 13; uint8, opset 16) run through
 * Minnow's QuantizeLinear / DequantizeLinear and float ops like ONNX Runtime runs them. Each output
 * may differ by maxDiff: ORT's fused integer kernels round some uint8 outputs one step apart.
 */
class QuantizedModelsTest {
    @ParameterizedTest
    @CsvSource({"mobilenet_v2_1.0_224_int8_per_tensor.onnx, 1e-6, false", "mobilenet_v1_0.5_128_quant.onnx, 1, false",
        "mobilenet_v2_1.0_224_int8_per_tensor.onnx, 0.028, true"})
    void matchesOnnxRuntime(String name, double maxDiff, boolean executor) throws Exception {
        Path m = SharedModelsTest.model(name);
        assumeTrue(m != null, "shared models not found");
        Graph g = Onnx.read(m);
        Value in = g.inputs().get(0);
        Shape s = in.type().shape().withDim(0, 1);
        byte[] x = new byte[s.sizeInt()];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = (byte) r.nextInt(256);
        }
        // executor: the inference executor, which fuses the QDQ groups into QLinearConv & co. and runs
        // them on its kernels (the float-kernel QLinearConv among them); else node by node. Node by node
        // matches ONNX Runtime to 1e-6, so ONNX Runtime computes this int8-activation model's groups as
        // float DequantizeLinear / Conv / QuantizeLinear; fused, the exact integer sums put a few outputs
        // one step apart (0.02734375; the integer kernel did the same before the float path); the top-1
        // class must agree
        Tensor out = executor ? dev.minnow.infer.InferenceExecutor.of(g).run(Tensor.wrap(DType.UINT8, s, x.clone()))
                : GraphRunner.run(g, Map.of(in.name(), Tensor.wrap(DType.UINT8, s, x.clone()))).get(g.outputs().get(0).name());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(m.toString(), new OrtSession.SessionOptions())) {
            ByteBuffer b = ByteBuffer.allocateDirect(x.length);
            b.put(x).rewind();
            try (OnnxTensor t = OnnxTensor.createTensor(env, b, s.dimsLong(), OnnxJavaType.UINT8);
                 OrtSession.Result res = session.run(Map.of(in.name(), t))) {
                OnnxTensor o = (OnnxTensor) res.get(0);
                float[] ref;
                if (o.getInfo().type == OnnxJavaType.UINT8) {
                    ByteBuffer bb = o.getByteBuffer();
                    ref = new float[bb.remaining()];
                    for (int i = 0; i < ref.length; i++) {
                        ref[i] = bb.get(i) & 0xff;
                    }
                } else {
                    java.nio.FloatBuffer fb = o.getFloatBuffer();
                    ref = new float[fb.remaining()];
                    fb.get(ref);
                }
                assertEquals(ref.length, out.size());
                int argRef = 0;
                int argMinnow = 0;
                for (int i = 0; i < ref.length; i++) {
                    assertTrue(Math.abs(out.getDouble(i) - ref[i]) <= maxDiff, name + " output " + i + ": ORT " + ref[i]
                            + " vs Minnow " + out.getDouble(i));
                    argRef = ref[i] > ref[argRef] ? i : argRef;
                    argMinnow = out.getDouble(i) > out.getDouble(argMinnow) ? i : argMinnow;
                }
                assertEquals(argRef, argMinnow, name + ": top-1 class");
            }
        }
    }
}
