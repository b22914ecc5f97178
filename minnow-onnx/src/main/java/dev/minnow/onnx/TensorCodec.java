package dev.minnow.onnx;

import com.google.protobuf.ByteString;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.errors.ShapeException;
import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.minnow.onnx.proto.OnnxProto.TensorProto;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.tensor.TensorBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * TensorProto to and from {@link Tensor}. Every size is checked against the bytes that hold
 * the data before anything is allocated, so a corrupt file cannot ask for gigabytes.
 */
public final class TensorCodec {
    /** Largest element count one tensor may have (one Java array). */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private TensorCodec() {
    }

    /** Element type for an ONNX TensorProto.DataType code; unsupported types are reported with what to do. */
    public static DType dtype(int onnxCode, String what) {
        DType t = DType.fromOnnx(onnxCode);
        if (t == null) {
            throw new UnsupportedOpException(what + " has element type " + typeName(onnxCode)
                    + ", which Minnow does not support (supported: float32, float16, bfloat16, float64, int8, uint8, "
                    + "int16, int32, int64, bool); convert the model to one of these types");
        }
        return t;
    }

    static String typeName(int code) {
        TensorProto.DataType t = TensorProto.DataType.forNumber(code);
        return t == null ? "code " + code : t.name();
    }

    /** Shape from ONNX dims, checked: no negative dims, at most {@link #MAX_ELEMENTS} elements. */
    static Shape shape(List<Long> dims, String what) {
        long n = 1;
        long[] d = new long[dims.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = dims.get(i);
            if (d[i] < 0) {
                throw new InvalidInputException(what + " has a negative dimension " + d[i] + " in " + dims
                        + "; the file is corrupt or was written by a broken exporter");
            }
            if (d[i] > MAX_ELEMENTS || (d[i] > 0 && n > MAX_ELEMENTS / d[i])) {
                throw new ShapeException(what + " has dims " + dims + ": more than " + MAX_ELEMENTS
                        + " elements, too large for Minnow (one tensor must fit one Java array)");
            }
            n *= d[i];
        }
        return Shape.of(d);
    }

    /**
     * Decodes a tensor. {@code modelDir} is the folder of the model file (for external data),
     * or null when the model came from bytes.
     */
    public static Tensor decode(TensorProto t, Path modelDir) {
        String what = "tensor '" + t.getName() + "'";
        DType dtype = dtype(t.getDataType(), what);
        Shape shape = shape(t.getDimsList(), what);
        int n = (int) shape.size();
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            return fromBytes(dtype, shape, readExternal(t, modelDir, (long) n * dtype.bytes, what), what);
        }
        if (!t.getRawData().isEmpty() || n == 0) {
            return fromBytes(dtype, shape, t.getRawData().asReadOnlyByteBuffer(), what);
        }
        return fromTyped(t, dtype, shape, n, what);
    }

    private static Tensor fromBytes(DType dtype, Shape shape, ByteBuffer raw, String what) {
        long n = shape.size();
        if (raw.remaining() != n * dtype.bytes) {
            throw new InvalidInputException(what + " of shape " + shape + " (" + dtype.label + ") needs " + n * dtype.bytes
                    + " bytes of data but has " + raw.remaining() + "; the file is truncated or corrupt");
        }
        Tensor r = Tensor.zeros(dtype, shape);
        TensorBytes.fillFromLittleEndian(raw, r);
        if (dtype == DType.BOOL) {
            normalizeBools(r.bytes());
        }
        return r;
    }

    private static void normalizeBools(byte[] a) {
        for (int i = 0; i < a.length; i++) {
            a[i] = (byte) (a[i] != 0 ? 1 : 0);
        }
    }

    private static Tensor fromTyped(TensorProto t, DType dtype, Shape shape, int n, String what) {
        int count = switch (dtype) {
            case FLOAT32 -> t.getFloatDataCount();
            case FLOAT64 -> t.getDoubleDataCount();
            case INT64 -> t.getInt64DataCount();
            default -> t.getInt32DataCount();
        };
        if (count != n) {
            throw new InvalidInputException(what + " of shape " + shape + " needs " + n + " values but holds " + count
                    + "; the file is truncated or corrupt");
        }
        Tensor r = Tensor.zeros(dtype, shape);
        for (int i = 0; i < n; i++) {
            switch (dtype) {
                case FLOAT32 -> r.floats()[i] = t.getFloatData(i);
                case FLOAT64 -> r.doubles()[i] = t.getDoubleData(i);
                case INT64 -> r.longs()[i] = t.getInt64Data(i);
                case INT32 -> r.ints()[i] = t.getInt32Data(i);
                case FLOAT16, BFLOAT16, INT16 -> r.shorts()[i] = (short) t.getInt32Data(i);
                case INT8, UINT8 -> r.bytes()[i] = (byte) t.getInt32Data(i);
                case BOOL -> r.bytes()[i] = (byte) (t.getInt32Data(i) != 0 ? 1 : 0);
            }
        }
        return r;
    }

    private static ByteBuffer readExternal(TensorProto t, Path modelDir, long needed, String what) {
        if (modelDir == null) {
            throw new InvalidInputException(what + " keeps its data in an external file, but the model was given as bytes;"
                    + " load it with Onnx.read(path) so the file can be found");
        }
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            try {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = Long.parseLong(e.getValue());
                    case "length" -> length = Long.parseLong(e.getValue());
                    default -> { }
                }
            } catch (NumberFormatException ex) {
                throw new InvalidInputException(what + ": external data " + e.getKey() + " '" + e.getValue() + "' is not a number");
            }
        }
        if (location == null || location.isEmpty()) {
            throw new InvalidInputException(what + " is marked external but names no location; the model is corrupt");
        }
        if (needed > MAX_ELEMENTS) {
            throw new ShapeException(what + " needs " + needed + " bytes, more than one Java array can hold");
        }
        Path file = resolveInside(modelDir, location, what);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (length < 0) {
                length = size - offset;
            }
            if (offset < 0 || length != needed || offset > size || length > size - offset) {
                throw new InvalidInputException(what + " needs " + needed + " bytes at offset " + offset + " of '" + location
                        + "' (declared length " + length + ", file size " + size + "); the data file is truncated or does not belong to this model");
            }
            ByteBuffer b = ByteBuffer.allocate((int) length);
            while (b.hasRemaining()) {
                if (ch.read(b, offset + b.position()) < 0) {
                    throw new InvalidInputException(what + ": external file '" + location + "' ended early");
                }
            }
            return b.flip();
        } catch (IOException e) {
            throw new InvalidInputException(what + ": cannot read external data file '" + location + "' next to the model: " + e.getMessage(), e);
        }
    }

    /** Resolves a relative location inside dir, refusing anything that escapes it (also through symlinks). */
    static Path resolveInside(Path dir, String location, String what) {
        Path base = dir.toAbsolutePath().normalize();
        Path rel;
        try {
            rel = Path.of(location);
        } catch (RuntimeException e) {
            throw new InvalidInputException(what + ": external data location '" + location + "' is not a valid path");
        }
        Path p = base.resolve(rel).normalize();
        if (rel.isAbsolute() || !p.startsWith(base)) {
            throw new InvalidInputException(what + ": external data location '" + location
                    + "' points outside the model's folder; refusing to read it (keep data files next to the model)");
        }
        if (!Files.isRegularFile(p)) {
            throw new InvalidInputException(what + ": external data file '" + location + "' not found next to the model in " + base);
        }
        try {
            if (!p.toRealPath().startsWith(base.toRealPath())) {
                throw new InvalidInputException(what + ": external data file '" + location + "' is a link outside the model's folder; refusing to read it");
            }
        } catch (IOException e) {
            throw new InvalidInputException(what + ": cannot resolve external data file '" + location + "': " + e.getMessage(), e);
        }
        return p;
    }

    /** Encodes a tensor with raw_data (little-endian), the form ONNX Runtime reads fastest. */
    public static TensorProto encode(String name, Tensor t) {
        TensorProto.Builder p = TensorProto.newBuilder().setName(name).setDataType(t.dtype().onnxCode)
                .setRawData(ByteString.copyFrom(TensorBytes.toLittleEndian(t)));
        for (int d : t.shape().dims()) {
            p.addDims(d);
        }
        return p.build();
    }
}
