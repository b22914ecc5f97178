package dev.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.data.Dataset;
import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Datasets;
import dev.minnow.data.Preprocessing;
import dev.minnow.graph.Graph;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.onnx.Onnx;
import dev.minnow.onnx.ReadOptions;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real ImageNet models from other tools, run by Minnow and by ONNX Runtime 1.22 on real images
 * (CIFAR-10 test images, every 83rd, scaled up to the model's size): the same top-1 class on at
 * least 99%, and outputs within a stated tolerance. docs/ONNX.md has the measurements.
 *
 * <p>Tolerances, and why: SqueezeNet is fp16. ONNX Runtime runs it in fp16, Minnow upcasts the
 * weights and computes in fp32, so its outputs (softmax probabilities) differ by fp16 rounding
 * accumulated over 26 layers: we allow 2e-2 absolute on probabilities. The two MobileNets are
 * integer models. Minnow runs every QDQ convolution in integers (QdqFusion), and so does ONNX
 * Runtime for V1 (uint8): bit-exact (all images: max |diff| 0); we allow 8 output quantization
 * steps (V1's output is uint8: 8.0) against a fixed-point requantization in other builds.
 *
 * <p>V2 (int8 activations) has two references. ONNX Runtime with session.qdqisint8allowed=1
 * runs all 52 QDQ convolutions in integers (as it does on ARM): bit-exact with Minnow (500 of 500
 * images, max |diff| 0); we allow 8 steps of the output's 1/256 scale, as for V1. ONNX Runtime's
 * default on x86 converts int8 activations to uint8 where it can and fuses those 36
 * convolutions, but runs the other 16 in float, whose summation order rounds a few values one
 * step differently from the exact result, and those steps grow over 17 blocks: 99.0% same top-1
 * (495 of 500), max |diff| 0.121 (31 steps). Every differing image is a near tie in ONNX
 * Runtime's own output (its top class and Minnow's differ by at most 4 steps = 4/256 there;
 * measured: 1 to 4), so we assert that and bound |diff| by 0.25. When Minnow runs exactly those
 * 16 in float too (an experiment, not a mode) all 500 agree: the gap is ONNX Runtime's float
 * path, not Minnow's integer one. ONNX Runtime against itself (ALL_OPT vs BASIC_OPT) agrees on
 * only 97.2%.
 */
class RealModelsAgreeWithOrtTest {
    /**
     * ONNX Runtime's pool threads stop spinning after a run: spinning threads would take the
     * cores from Minnow's run that follows (the numbers do not change).
     */
    static final Map<String, String> DEFAULT = Map.of("session.intra_op.allow_spinning", "0");
    /** ONNX Runtime's integer execution of int8 QDQ groups (its default on ARM). */
    static final Map<String, String> INT8_QDQ = Map.of("session.intra_op.allow_spinning", "0",
            "session.qdqisint8allowed", "1");

    /** One ONNX Runtime configuration to compare with, on the first `images` images. */
    record Reference(String label, Map<String, String> config, int images, double tolerance, double minAgreement,
                     double nearTie) {
    }

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("squeezenet1.0-fp16.onnx",
                        new Preprocessing(255, new double[] {103.939, 116.779, 123.68}, new double[] {1}, true, false, 224, false),
                        List.of(new Reference("default", DEFAULT, 300, 2e-2, 0.99, 0))),
                Arguments.of("mobilenet_v2_1.0_224_int8_per_tensor.onnx",
                        new Preprocessing(255, new double[] {0}, new double[] {1}, false, true, 224, true),
                        List.of(new Reference("default", DEFAULT, 500, 0.25, 0.99, 4.0 / 256),
                                new Reference("int8 QDQ in integers", INT8_QDQ, 100, 8.0 / 256, 1.0, 0))),
                Arguments.of("mobilenet_v1_0.5_128_quant.onnx",
                        new Preprocessing(255, new double[] {0}, new double[] {1}, false, true, 128, true),
                        List.of(new Reference("default", DEFAULT, 500, 8.0, 0.99, 0))));
    }

    @ParameterizedTest
    @MethodSource("models")
    void sameTop1AsOnnxRuntime(String file, Preprocessing pre, List<Reference> refs) throws Exception {
        Path model = Cli.dataDir().resolveSibling("models").resolve(file);
        assertTrue(Files.isRegularFile(model), "missing " + model);
        Graph g = Onnx.read(model, ReadOptions.defaults().withUpcastHalf(true));
        Graph original = Onnx.read(model);
        boolean halfInput = original.inputs().getFirst().type().dtype() == DType.FLOAT16;
        InferenceExecutor minnow = InferenceExecutor.of(g);
        DatasetSplit cifar = Datasets.load("cifar10", Cli.dataDir());
        Dataset test = cifar.test();
        int images = refs.stream().mapToInt(Reference::images).max().orElseThrow();
        byte[] bytes = Files.readAllBytes(model);
        List<OrtRunner> runners = new ArrayList<>();
        int[] agree = new int[refs.size()];
        double[] maxDiff = new double[refs.size()];
        List<List<String>> ties = new ArrayList<>();
        float[] img = new float[3 * 32 * 32];
        try {
            for (Reference r : refs) {
                runners.add(new OrtRunner(bytes, original.inputs().getFirst().name(), 2, r.config()));
                ties.add(new ArrayList<>());
            }
            for (int i = 0; i < images; i++) {
                test.copySample(i * 83 % test.size(), img, 0);
                Tensor x = pre.apply(Tensor.of(Shape.of(1, 3, 32, 32), img.clone()));
                Tensor ortInput = x;
                if (halfInput) {
                    ortInput = x.cast(DType.FLOAT16);
                    x = ortInput.cast(DType.FLOAT32); // both runtimes see the same fp16-rounded pixels
                }
                float[] ours = asFloats(minnow.run(x));
                for (int k = 0; k < refs.size(); k++) {
                    if (i >= refs.get(k).images()) {
                        continue;
                    }
                    float[] theirs = runners.get(k).run(ortInput);
                    int a = argmax(ours);
                    int b = argmax(theirs);
                    if (a == b) {
                        agree[k]++;
                    } else {
                        // how far Minnow's class is from the top in ONNX Runtime's own output
                        ties.get(k).add("image " + i + ": " + b + " vs " + a + " by " + (theirs[b] - theirs[a]));
                        assertTrue(theirs[b] - theirs[a] <= refs.get(k).nearTie(), file + " (" + refs.get(k).label()
                                + "): top-1 differs on image " + i + " where ONNX Runtime's top two are no near tie: "
                                + theirs[b] + " vs " + theirs[a]);
                    }
                    for (int j = 0; j < ours.length; j++) {
                        maxDiff[k] = Math.max(maxDiff[k], Math.abs(ours[j] - theirs[j]));
                    }
                }
            }
        } finally {
            runners.forEach(OrtRunner::close);
        }
        for (int k = 0; k < refs.size(); k++) {
            Reference r = refs.get(k);
            double agreement = (double) agree[k] / r.images();
            System.out.printf("%s (ONNX Runtime %s): top-1 agreement %.4f over %d images, max |diff| %.4g, differing: %s%n",
                    file, r.label(), agreement, r.images(), maxDiff[k], ties.get(k));
            assertTrue(agreement >= r.minAgreement(), file + " (" + r.label() + "): top-1 agreement " + agreement);
            assertTrue(maxDiff[k] <= r.tolerance(), file + " (" + r.label() + "): max |diff| " + maxDiff[k] + " > " + r.tolerance());
        }
    }

    private static float[] asFloats(Tensor t) {
        if (t.dtype() == DType.FLOAT32) {
            return t.floats();
        }
        float[] r = new float[t.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) t.getDouble(i);
        }
        return r;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
