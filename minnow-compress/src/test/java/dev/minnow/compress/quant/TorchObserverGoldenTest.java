package dev.minnow.compress.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Minnow's observers against PyTorch 1.13's on the same tensors (tools/golden/torch_quant_golden.py). */
class TorchObserverGoldenTest {
    private record Case(int kind, Tensor x, int batches, float[] scale, int[] zeroPoint) {
    }

    private static List<Case> cases() throws IOException {
        byte[] b;
        try (InputStream in = TorchObserverGoldenTest.class.getResourceAsStream("/golden/torch-quant-observers.bin")) {
            b = in.readAllBytes();
        }
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[4];
        buf.get(magic);
        assertEquals("MNGQ", new String(magic, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(1, buf.getInt());
        int n = buf.getInt();
        List<Case> cs = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            int kind = buf.getInt();
            int[] dims = new int[buf.getInt()];
            for (int d = 0; d < dims.length; d++) {
                dims[d] = buf.getInt();
            }
            int batches = buf.getInt();
            Shape s = Shape.of(dims);
            float[] v = new float[(int) s.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = buf.getFloat();
            }
            int ch = buf.getInt();
            float[] scale = new float[ch];
            int[] zp = new int[ch];
            for (int c = 0; c < ch; c++) {
                scale[c] = buf.getFloat();
            }
            for (int c = 0; c < ch; c++) {
                zp[c] = buf.getInt();
            }
            cs.add(new Case(kind, Tensor.of(s, v), batches, scale, zp));
        }
        return cs;
    }

    @Test
    void minMaxObserversMatchPytorch() throws IOException {
        int checked = 0;
        for (Case c : cases()) {
            QuantParams p;
            switch (c.kind()) {
                case 0 -> {
                    MinMaxObserver o = MinMaxObserver.perTensor();
                    o.observe(c.x());
                    p = o.params(QuantScheme.activations(8));
                }
                case 1 -> {
                    MinMaxObserver o = MinMaxObserver.movingAverage(0.01f);
                    for (Tensor part : slices(c.x(), c.batches())) {
                        o.observe(part);
                    }
                    p = o.params(QuantScheme.activations(8));
                }
                case 2 -> {
                    MinMaxObserver o = MinMaxObserver.perChannel(0);
                    o.observe(c.x());
                    p = o.params(QuantScheme.weights(8));
                }
                default -> {
                    continue;
                }
            }
            assertEquals(c.scale().length, p.channels());
            for (int i = 0; i < p.channels(); i++) {
                assertEquals(c.scale()[i], p.scale()[i], 2e-6 * c.scale()[i], "kind " + c.kind() + " scale " + i);
                assertEquals(c.zeroPoint()[i], p.zeroPoint()[i], "kind " + c.kind() + " zero point " + i);
            }
            checked++;
        }
        assertEquals(9, checked);
    }

    /** PyTorch's HistogramObserver minimizes the L2 error too: Minnow's MSE observer does at least as well. */
    @Test
    void mseObserverIsNoWorseThanPytorchsHistogramObserver() throws IOException {
        int checked = 0;
        for (Case c : cases()) {
            if (c.kind() != 3) {
                continue;
            }
            QuantScheme s = QuantScheme.activations(8);
            QuantParams torch = new QuantParams(s, c.scale(), c.zeroPoint(), -1);
            MseObserver o = new MseObserver();
            o.observe(c.x());
            QuantParams ours = o.params(s);
            double eTorch = error(c.x(), torch);
            double eOurs = error(c.x(), ours);
            assertTrue(eOurs <= 1.05 * eTorch, "squared error " + eOurs + " vs PyTorch's " + eTorch + " for "
                    + Arrays.toString(c.x().shape().dims()));
            checked++;
        }
        assertEquals(3, checked);
    }

    private static double error(Tensor x, QuantParams p) {
        float[] q = p.fakeQuantize(x).floats();
        double e = 0;
        for (int i = 0; i < q.length; i++) {
            double d = x.floats()[i] - q[i];
            e += d * d;
        }
        return e;
    }

    private static List<Tensor> slices(Tensor x, int n) {
        int per = x.size() / n;
        int[] dims = x.shape().dims().clone();
        dims[0] /= n;
        List<Tensor> r = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            r.add(Tensor.of(Shape.of(dims), Arrays.copyOfRange(x.floats(), i * per, (i + 1) * per)));
        }
        return r;
    }
}
