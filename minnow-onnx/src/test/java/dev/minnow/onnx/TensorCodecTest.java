package dev.minnow.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.errors.ShapeException;
import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.minnow.onnx.proto.OnnxProto.TensorProto;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorCodecTest {
    @TempDir
    Path dir;

    @Test
    void rawDataRoundTripsEveryType() {
        for (DType t : DType.values()) {
            Tensor x = Tensor.zeros(t, Shape.of(2, 3));
            for (int i = 0; i < 6; i++) {
                double v = t == DType.BOOL ? i % 2 : i - 2;
                switch (x.data()) {
                    case float[] a -> a[i] = (float) v;
                    case double[] a -> a[i] = v;
                    case short[] a -> a[i] = t == DType.FLOAT16 ? Float.floatToFloat16((float) v)
                            : t == DType.BFLOAT16 ? (short) (Float.floatToRawIntBits((float) v) >>> 16) : (short) v;
                    case byte[] a -> a[i] = (byte) v;
                    case int[] a -> a[i] = (int) v;
                    case long[] a -> a[i] = (long) v;
                    default -> throw new AssertionError();
                }
            }
            TensorProto p = TensorCodec.encode("x", x);
            assertEquals(6L * t.bytes, p.getRawData().size());
            Tensor back = TensorCodec.decode(p, null);
            assertTrue(back.contentEquals(x), t + ": " + back);
        }
    }

    @Test
    void rawDataIsLittleEndian() {
        TensorProto p = TensorProto.newBuilder().setDataType(6).addDims(1)
                .setRawData(ByteString.copyFrom(new byte[] {1, 2, 0, 0})).build();
        assertEquals(0x0201, TensorCodec.decode(p, null).ints()[0]);
    }

    @Test
    void typedFieldsDecode() {
        TensorProto half = TensorProto.newBuilder().setDataType(10).addDims(2)
                .addInt32Data(Float.floatToFloat16(1.5f)).addInt32Data(Float.floatToFloat16(-2f)).build();
        Tensor h = TensorCodec.decode(half, null);
        assertEquals(1.5, h.getDouble(0));
        assertEquals(-2.0, h.getDouble(1));
        TensorProto bools = TensorProto.newBuilder().setDataType(9).addDims(3).addInt32Data(0).addInt32Data(1).addInt32Data(1).build();
        assertArrayEquals(new byte[] {0, 1, 1}, TensorCodec.decode(bools, null).bytes());
        TensorProto u8 = TensorProto.newBuilder().setDataType(2).addDims(1).addInt32Data(200).build();
        assertEquals(200.0, TensorCodec.decode(u8, null).getDouble(0));
        TensorProto d = TensorProto.newBuilder().setDataType(11).addDims(1).addDoubleData(0.25).build();
        assertEquals(0.25, TensorCodec.decode(d, null).doubles()[0]);
        TensorProto scalar = TensorProto.newBuilder().setDataType(7).addInt64Data(-9).build();
        Tensor s = TensorCodec.decode(scalar, null);
        assertEquals(0, s.shape().rank());
        assertEquals(-9L, s.longs()[0]);
    }

    @Test
    void sizeMismatchAndUnsupportedTypesAreErrors() {
        TensorProto shortRaw = TensorProto.newBuilder().setName("w").setDataType(1).addDims(4)
                .setRawData(ByteString.copyFrom(new byte[12])).build();
        assertThrows(InvalidInputException.class, () -> TensorCodec.decode(shortRaw, null));
        TensorProto fewValues = TensorProto.newBuilder().setDataType(1).addDims(4).addFloatData(1).build();
        assertThrows(InvalidInputException.class, () -> TensorCodec.decode(fewValues, null));
        TensorProto huge = TensorProto.newBuilder().setDataType(1).addDims(1L << 40).build();
        assertThrows(ShapeException.class, () -> TensorCodec.decode(huge, null));
        TensorProto negative = TensorProto.newBuilder().setDataType(1).addDims(-2).build();
        assertThrows(InvalidInputException.class, () -> TensorCodec.decode(negative, null));
        TensorProto strings = TensorProto.newBuilder().setName("s").setDataType(8).addDims(1).build();
        assertTrue(assertThrows(UnsupportedOpException.class, () -> TensorCodec.decode(strings, null))
                .getMessage().contains("STRING"));
    }

    private static TensorProto external(String location, long offset, long length) {
        TensorProto.Builder b = TensorProto.newBuilder().setName("w").setDataType(1).addDims(2)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location));
        if (offset >= 0) {
            b.addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue(Long.toString(offset)));
        }
        if (length >= 0) {
            b.addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(Long.toString(length)));
        }
        return b.build();
    }

    @Test
    void externalDataIsReadRelativeToTheModel() throws Exception {
        Tensor w = Tensor.of(Shape.of(2), 1.25f, -3f);
        byte[] raw = TensorCodec.encode("w", w).getRawData().toByteArray();
        byte[] file = new byte[4 + raw.length];
        System.arraycopy(raw, 0, file, 4, raw.length);
        Files.createDirectories(dir.resolve("data"));
        Files.write(dir.resolve("data/weights.bin"), file);
        assertTrue(TensorCodec.decode(external("data/weights.bin", 4, 8), dir).contentEquals(w));
        assertThrows(InvalidInputException.class, () -> TensorCodec.decode(external("data/weights.bin", 8, 8), dir));
        assertThrows(InvalidInputException.class, () -> TensorCodec.decode(external("data/weights.bin", 4, 8), null));
        assertThrows(InvalidInputException.class, () -> TensorCodec.decode(external("missing.bin", 0, 8), dir));
    }

    @Test
    void externalDataOutsideTheModelFolderIsRefused() throws Exception {
        Path model = Files.createDirectories(dir.resolve("model"));
        Files.write(dir.resolve("secret.bin"), new byte[8]);
        for (String bad : new String[] {"../secret.bin", dir.resolve("secret.bin").toString(), "a/../../secret.bin"}) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> TensorCodec.decode(external(bad, 0, 8), model));
            assertTrue(e.getMessage().contains("outside"), e.getMessage());
        }
        Files.createSymbolicLink(model.resolve("link.bin"), dir.resolve("secret.bin"));
        assertThrows(InvalidInputException.class, () -> TensorCodec.decode(external("link.bin", 0, 8), model));
    }
}
