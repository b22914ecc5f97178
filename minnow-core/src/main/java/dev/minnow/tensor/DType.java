package dev.minnow.tensor;

/**
 * Element types. Each has one Java storage array kind:
 * FLOAT32 float[], FLOAT64 double[], FLOAT16/BFLOAT16/INT16 short[] (raw bits for the
 * 16-bit floats), INT8/UINT8/BOOL byte[], INT32 int[], INT64 long[].
 * {@code onnxCode} is the TensorProto.DataType number.
 */
public enum DType {
    FLOAT32(1, 4, "float32"),
    UINT8(2, 1, "uint8"),
    INT8(3, 1, "int8"),
    INT16(5, 2, "int16"),
    INT32(6, 4, "int32"),
    INT64(7, 8, "int64"),
    BOOL(9, 1, "bool"),
    FLOAT16(10, 2, "float16"),
    FLOAT64(11, 8, "float64"),
    BFLOAT16(16, 2, "bfloat16");

    public final int onnxCode;
    public final int bytes;
    public final String label;

    DType(int onnxCode, int bytes, String label) {
        this.onnxCode = onnxCode;
        this.bytes = bytes;
        this.label = label;
    }

    public boolean isFloating() {
        return this == FLOAT32 || this == FLOAT64 || this == FLOAT16 || this == BFLOAT16;
    }

    public static DType fromOnnx(int code) {
        for (DType t : values()) {
            if (t.onnxCode == code) {
                return t;
            }
        }
        return null;
    }

    Object allocate(int n) {
        return switch (this) {
            case FLOAT32 -> new float[n];
            case FLOAT64 -> new double[n];
            case FLOAT16, BFLOAT16, INT16 -> new short[n];
            case INT8, UINT8, BOOL -> new byte[n];
            case INT32 -> new int[n];
            case INT64 -> new long[n];
        };
    }
}
