package dev.minnow.train;

import dev.minnow.io.AtomicFiles;
import dev.minnow.errors.DataException;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A training checkpoint and the one class that owns its binary format (version 2; version 1
 * files, which lack GRPH and CONS, are still read).
 * All numbers are big-endian; strings are an int32 byte count then UTF-8 bytes.
 *
 * <pre>
 * offset  size  field
 * ------  ----  ----------------------------------------------------------------
 *      0     7  magic "MNWCKPT" (ASCII 4D 4E 57 43 4B 50 54)
 *      7     1  0x00
 *      8     4  int32 format version = 2
 *     12     .  sections, each:  +-----+--------------+-----------------+
 *                                | tag | int64 length | payload (length)|
 *                                | 4 B |     8 B      |                 |
 *                                +-----+--------------+-----------------+
 *               "PARM" graph parameters: int32 count, count x TENSOR
 *               "OPTS" optimizer: string description, int32 count, count x TENSOR (state slots)
 *               "RAND" int64 seed (every random draw of a run derives from seed, epoch and step)
 *               "PROG" int32 epochs completed, int64 optimizer steps taken
 *               "CONF" string: the run's settings, human readable
 *               "GRPH" string: structure hash of the training graph (hex SHA-256, StructureHash);
 *                      empty when unknown                                          (version 2)
 *               "CONS" int32 count, count x TENSOR: constraint state, e.g. masks, as
 *                      "constraint index/key"                                      (version 2)
 *               (readers skip tags they do not know)
 *    end-12   4  "END!"
 *    end-8    8  int64 CRC-32 of every byte before "END!"
 *
 * TENSOR: string name, uint8 dtype (ONNX code: 1 float32, 7 int64), uint8 rank,
 *         rank x int32 dims, then the elements row-major (4 or 8 bytes each)
 * </pre>
 *
 * Files are written to a temporary name beside the target and renamed, so a crash never
 * leaves a half-written checkpoint in place of a good one.
 */
public record Checkpoint(Map<String, Tensor> parameters, String optimizer, Map<String, Tensor> optimizerState,
                         long seed, int epochsCompleted, long steps, String settings, String graphHash,
                         Map<String, Tensor> constraintState) {
    public static final int VERSION = 2;

    public Checkpoint {
        graphHash = graphHash == null ? "" : graphHash;
        constraintState = constraintState == null ? Map.of() : constraintState;
    }

    /** A checkpoint without a graph hash or constraint state (as version 1 wrote). */
    public Checkpoint(Map<String, Tensor> parameters, String optimizer, Map<String, Tensor> optimizerState,
                      long seed, int epochsCompleted, long steps, String settings) {
        this(parameters, optimizer, optimizerState, seed, epochsCompleted, steps, settings, "", Map.of());
    }

    /**
     * Throws unless this checkpoint was taken on a graph with the given structure hash (a
     * checkpoint without a hash, from format version 1, is accepted).
     */
    public void requireGraph(String expectedHash, Object source) {
        if (!graphHash.isEmpty() && !graphHash.equals(expectedHash)) {
            throw new InvalidInputException("checkpoint " + source + " was written for a different graph (structure hash "
                    + graphHash.substring(0, 12) + ", this graph has " + expectedHash.substring(0, Math.min(12, expectedHash.length()))
                    + "): resume with the model and the passes (pruning, quantization) the interrupted run used");
        }
    }
    private static final byte[] MAGIC = {'M', 'N', 'W', 'C', 'K', 'P', 'T', 0};

    public void write(Path path) {
        byte[] bytes = toBytes();
        try {
            AtomicFiles.write(path, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + path + ": " + e.getMessage(), e);
        }
    }

    public static Checkpoint read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("checkpoint " + path + " does not exist");
        } catch (IOException e) {
            throw new InvalidInputException("cannot read checkpoint " + path + ": " + e.getMessage(), e);
        }
        try {
            return fromBytes(bytes);
        } catch (DataException e) {
            throw new DataException("checkpoint " + path + ": " + e.getMessage(), e);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("checkpoint " + path + ": " + e.getMessage(), e);
        }
    }

    public byte[] toBytes() {
        return toBytes(VERSION);
    }

    /** The bytes in an older layout (version 1 omits GRPH and CONS); for compatibility tests. */
    byte[] toBytes(int version) {
        try {
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(file);
            out.write(MAGIC);
            out.writeInt(version);
            section(out, "PARM", s -> tensors(s, parameters));
            section(out, "OPTS", s -> {
                string(s, optimizer);
                tensors(s, optimizerState);
            });
            section(out, "RAND", s -> s.writeLong(seed));
            section(out, "PROG", s -> {
                s.writeInt(epochsCompleted);
                s.writeLong(steps);
            });
            section(out, "CONF", s -> string(s, settings));
            if (version >= 2) {
                section(out, "GRPH", s -> string(s, graphHash));
                section(out, "CONS", s -> tensors(s, constraintState));
            }
            out.flush();
            CRC32 crc = new CRC32();
            crc.update(file.toByteArray());
            out.writeBytes("END!");
            out.writeLong(crc.getValue());
            out.flush();
            return file.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Checkpoint fromBytes(byte[] bytes) {
        if (bytes.length < 12 || !Arrays.equals(Arrays.copyOf(bytes, 8), MAGIC)) {
            throw new InvalidInputException("not a Minnow checkpoint (no MNWCKPT magic): pass a file written by training with checkpoints on");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.position(8);
        int version = b.getInt();
        if (version != VERSION && version != 1) {
            throw new InvalidInputException("checkpoint format version " + version + " is not supported (this Minnow reads version "
                    + VERSION + "); use the Minnow version that wrote it");
        }
        if (bytes.length < 24 || !new String(bytes, bytes.length - 12, 4, StandardCharsets.US_ASCII).equals("END!")) {
            throw new DataException("the file is truncated (no end marker): the run that wrote it may have been interrupted");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 12);
        if (crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 8, 8).getLong()) {
            throw new DataException("the file is corrupt (checksum mismatch)");
        }
        Map<String, ByteBuffer> sections = new LinkedHashMap<>();
        try {
            int end = bytes.length - 12;
            while (b.position() < end) {
                byte[] tag = new byte[4];
                b.get(tag);
                long length = b.getLong();
                if (length < 0 || length > end - b.position()) {
                    throw new DataException("section " + new String(tag, StandardCharsets.US_ASCII) + " runs past the end of the file");
                }
                ByteBuffer payload = b.slice(b.position(), (int) length);
                b.position(b.position() + (int) length);
                sections.put(new String(tag, StandardCharsets.US_ASCII), payload);
            }
            ByteBuffer opts = required(sections, "OPTS");
            String optimizer = string(opts);
            Map<String, Tensor> optState = tensors(opts);
            ByteBuffer prog = required(sections, "PROG");
            String hash = version >= 2 ? string(required(sections, "GRPH")) : "";
            Map<String, Tensor> constraints = version >= 2 ? tensors(required(sections, "CONS")) : Map.of();
            return new Checkpoint(tensors(required(sections, "PARM")), optimizer, optState, required(sections, "RAND").getLong(),
                    prog.getInt(), prog.getLong(), string(required(sections, "CONF")), hash, constraints);
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new DataException("the file is damaged (a section is shorter than its contents)", e);
        }
    }

    /**
     * Copies the saved parameters into the model's parameters, checking that every name and
     * shape matches (a checkpoint of another model is a user error).
     */
    public void restoreInto(Map<String, Tensor> modelParameters) {
        for (Map.Entry<String, Tensor> e : modelParameters.entrySet()) {
            Tensor saved = parameters.get(e.getKey());
            if (saved == null || !saved.shape().equals(e.getValue().shape())) {
                throw new InvalidInputException("checkpoint does not fit this model: parameter '" + e.getKey() + "' "
                        + (saved == null ? "is missing" : "has shape " + saved.shape() + ", model has " + e.getValue().shape()));
            }
            System.arraycopy(saved.floats(), 0, e.getValue().floats(), 0, saved.size());
        }
    }

    private static ByteBuffer required(Map<String, ByteBuffer> sections, String tag) {
        ByteBuffer b = sections.get(tag);
        if (b == null) {
            throw new DataException("section " + tag + " is missing");
        }
        return b;
    }

    @FunctionalInterface
    private interface SectionWriter {
        void write(DataOutputStream out) throws IOException;
    }

    private static void section(DataOutputStream out, String tag, SectionWriter body) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream s = new DataOutputStream(buf);
        body.write(s);
        s.flush();
        out.writeBytes(tag);
        out.writeLong(buf.size());
        buf.writeTo(out);
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] u = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        out.writeInt(u.length);
        out.write(u);
    }

    private static String string(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new DataException("a string runs past the end of its section");
        }
        byte[] u = new byte[n];
        b.get(u);
        return new String(u, StandardCharsets.UTF_8);
    }

    private static void tensors(DataOutputStream out, Map<String, Tensor> tensors) throws IOException {
        out.writeInt(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            string(out, e.getKey());
            out.writeByte(t.dtype().onnxCode);
            out.writeByte(t.shape().rank());
            for (int d : t.shape().dims()) {
                out.writeInt(d);
            }
            switch (t.dtype()) {
                case FLOAT32 -> {
                    for (float f : t.floats()) {
                        out.writeFloat(f);
                    }
                }
                case INT64 -> {
                    for (long l : t.longs()) {
                        out.writeLong(l);
                    }
                }
                default -> throw new IllegalArgumentException("checkpoints hold float32 and int64 tensors, not " + t.dtype().label
                        + " ('" + e.getKey() + "')");
            }
        }
    }

    private static Map<String, Tensor> tensors(ByteBuffer b) {
        int count = b.getInt();
        if (count < 0) {
            throw new DataException("negative tensor count");
        }
        Map<String, Tensor> r = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = string(b);
            DType dtype = DType.fromOnnx(b.get());
            int rank = b.get() & 0xff;
            int[] dims = new int[rank];
            long size = 1;
            for (int k = 0; k < rank; k++) {
                dims[k] = b.getInt();
                if (dims[k] < 0) {
                    throw new DataException("tensor '" + name + "' has a negative dimension");
                }
                size *= dims[k];
            }
            if (dtype != DType.FLOAT32 && dtype != DType.INT64) {
                throw new DataException("tensor '" + name + "' has an unsupported element type");
            }
            if (size * dtype.bytes > b.remaining()) {
                throw new DataException("tensor '" + name + "' runs past the end of its section");
            }
            Tensor t = Tensor.zeros(dtype, Shape.of(dims));
            if (dtype == DType.FLOAT32) {
                b.asFloatBuffer().get(t.floats());
            } else {
                b.asLongBuffer().get(t.longs());
            }
            b.position(b.position() + (int) size * dtype.bytes);
            r.put(name, t);
        }
        return r;
    }
}
