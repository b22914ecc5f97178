package dev.minnow.bench;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.ops.quant.QLinearConvOp;
import dev.minnow.kernels.Conv2d;
import dev.minnow.kernels.ConvGeometry;
import dev.minnow.kernels.Parallel;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Int8 against fp32 convolution at batch 1, each as the inference executor runs it: fp32 through
 * {@link Conv2d#forward} with weights prepared once (the PREPARED path), int8 through
 * QLinearConv with weights packed once (Int8Conv2d, uint8 activations, int8 per-channel weights,
 * requantization to uint8 included). "layer": r18_3x3_64_56 and r18_3x3_256_14 are ResNet-18's
 * 3x3 layers of stages 1 and 3; mbv2_dwpw_144_56 is a MobileNet V2 depthwise 3x3 (144 channels,
 * 56x56) followed by its pointwise 1x1 projection to 24 channels. conv:gflop counts 2 * MACs.
 * Run as docs/KERNELS.md says (the lead measures on an idle machine).
 */
public class Int8ConvBench extends BenchSettings {
    @Param({"r18_3x3_64_56", "r18_3x3_256_14", "mbv2_dwpw_144_56"})
    public String layer;
    @Param({"fp32", "int8"})
    public String precision;
    @Param({"1"})
    public int threads;

    private final List<ConvGeometry> geometries = new ArrayList<>();
    private final List<float[]> floatWeights = new ArrayList<>();
    private final List<Conv2d.PreparedWeights> floatPrepared = new ArrayList<>();
    private final List<QLinearConvOp> ops = new ArrayList<>();
    private final List<Tensor[]> intInputs = new ArrayList<>();
    private final List<QLinearConvOp.PreparedWeights> intPrepared = new ArrayList<>();
    private float[] x;
    private float[][] floatOutputs;
    private Tensor xq;
    private long macs;

    static List<ConvGeometry> layers(String name) {
        return switch (name) {
            case "r18_3x3_64_56" -> List.of(ConvGeometry.of(1, 64, 56, 56, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1));
            case "r18_3x3_256_14" -> List.of(ConvGeometry.of(1, 256, 14, 14, 256, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1));
            case "mbv2_dwpw_144_56" -> List.of(ConvGeometry.of(1, 144, 56, 56, 144, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 144),
                    ConvGeometry.of(1, 144, 56, 56, 24, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1));
            default -> throw new IllegalArgumentException("unknown layer " + name);
        };
    }

    private static Tensor codes(SplittableRandom rnd, DType t, Shape s) {
        byte[] b = new byte[(int) s.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (t == DType.UINT8 ? rnd.nextInt(256) : rnd.nextInt(-127, 128));
        }
        return Tensor.wrap(t, s, b);
    }

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        SplittableRandom rnd = new SplittableRandom(1);
        geometries.addAll(layers(layer));
        floatOutputs = new float[geometries.size()][];
        ConvGeometry first = geometries.getFirst();
        x = GemmBench.random(rnd, first.inputSize());
        xq = codes(rnd, DType.UINT8, Shape.of(1, first.inChannels(), first.inH(), first.inW()));
        for (int i = 0; i < geometries.size(); i++) {
            ConvGeometry g = geometries.get(i);
            macs += g.macs();
            float[] w = GemmBench.random(rnd, g.weightSize());
            floatWeights.add(w);
            floatPrepared.add(Conv2d.prepare(g, w));
            floatOutputs[i] = new float[g.outputSize()];
            Attributes a = Attributes.of("kernel_shape", new long[] {g.kernelH(), g.kernelW()}, "pads",
                    new long[] {g.padTop(), g.padLeft(), g.padBottom(), g.padRight()}, "group", (long) g.groups());
            QLinearConvOp op = new QLinearConvOp(a);
            Tensor wq = codes(rnd, DType.INT8, Shape.of(g.outChannels(), g.inChannelsPerGroup(), g.kernelH(), g.kernelW()));
            Tensor ws = Tensor.zeros(Shape.of(g.outChannels()));
            java.util.Arrays.fill(ws.floats(), 0.002f);
            Tensor bias = Tensor.ofInts(Shape.of(g.outChannels()), rnd.ints(g.outChannels(), -1000, 1000).toArray());
            Tensor zp = Tensor.wrap(DType.UINT8, Shape.scalar(), new byte[] {(byte) 128});
            ops.add(op);
            intInputs.add(new Tensor[] {null, Tensor.scalar(0.02f), zp, wq, ws, null, Tensor.scalar(0.05f), zp, bias});
            intPrepared.add(op.prepare(wq, null));
        }
    }

    @Benchmark
    public Object conv(FlopCounter counter) {
        Object result;
        if (precision.equals("fp32")) {
            float[] in = x;
            for (int i = 0; i < geometries.size(); i++) {
                Conv2d.forward(geometries.get(i), in, floatWeights.get(i), null, floatOutputs[i], floatPrepared.get(i));
                in = floatOutputs[i];
            }
            result = in;
        } else {
            Tensor in = xq;
            for (int i = 0; i < ops.size(); i++) {
                Tensor[] inputs = intInputs.get(i).clone();
                inputs[0] = in;
                in = ops.get(i).forward(inputs, intPrepared.get(i))[0];
            }
            result = in;
        }
        counter.gflop += 2.0 * macs / 1e9;
        return result;
    }
}
