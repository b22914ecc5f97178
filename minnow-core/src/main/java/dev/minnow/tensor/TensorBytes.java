package dev.minnow.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A tensor's elements as little-endian bytes (the layout of ONNX raw_data) and back.
 * 16-bit floats move as their raw bits; bool as one byte per element.
 */
public final class TensorBytes {
    private TensorBytes() {
    }

    /** A new little-endian buffer (position 0) holding the tensor's elements. */
    public static ByteBuffer toLittleEndian(Tensor t) {
        ByteBuffer b = ByteBuffer.allocate(t.size() * t.dtype().bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.data()) {
            case float[] a -> b.asFloatBuffer().put(a);
            case double[] a -> b.asDoubleBuffer().put(a);
            case short[] a -> b.asShortBuffer().put(a);
            case byte[] a -> b.put(a);
            case int[] a -> b.asIntBuffer().put(a);
            case long[] a -> b.asLongBuffer().put(a);
            default -> throw new IllegalStateException("unexpected storage");
        }
        return b.rewind();
    }

    /** Fills dst's storage from little-endian bytes starting at the buffer's position (which is left unchanged). */
    public static void fillFromLittleEndian(ByteBuffer src, Tensor dst) {
        ByteBuffer b = src.slice().order(ByteOrder.LITTLE_ENDIAN);
        switch (dst.data()) {
            case float[] a -> b.asFloatBuffer().get(a);
            case double[] a -> b.asDoubleBuffer().get(a);
            case short[] a -> b.asShortBuffer().get(a);
            case byte[] a -> b.get(a);
            case int[] a -> b.asIntBuffer().get(a);
            case long[] a -> b.asLongBuffer().get(a);
            default -> throw new IllegalStateException("unexpected storage");
        }
    }
}
