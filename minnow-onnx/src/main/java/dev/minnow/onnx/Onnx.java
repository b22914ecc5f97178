package dev.minnow.onnx;

import dev.minnow.io.AtomicFiles;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.pass.PassResult;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Reads ONNX models into a {@link Graph} and writes graphs back out. See docs/ONNX.md.
 * Errors the file can cause are {@code MinnowException}s: InvalidInputException (corrupt,
 * inconsistent), ShapeException (sizes, types), UnsupportedOpException (ops, types, opsets).
 */
public final class Onnx {
    private Onnx() {
    }

    public static Graph read(Path file) {
        return read(file, ReadOptions.defaults());
    }

    public static Graph read(Path file, ReadOptions options) {
        return readWithRecords(file, options).graph();
    }

    /**
     * Reads a model and says what the import passes did (constant folding, dead-node removal,
     * ...): one record per pass that ran, in order, e.g. {@code constant-folding {folded=12}}.
     */
    public static PassResult readWithRecords(Path file, ReadOptions options) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 8) {
                throw new InvalidInputException(file + " is " + size + " bytes; ONNX files above 2 GB must keep their weights"
                        + " in external data files");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read ONNX model " + file + ": " + e.getMessage(), e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return new OnnxReader(options, dir, file.getFileName().toString())
                .readWithRecords(OnnxReader.parse(bytes, file.toString()));
    }

    public static Graph fromBytes(byte[] bytes) {
        return fromBytes(bytes, ReadOptions.defaults());
    }

    public static Graph fromBytes(byte[] bytes, ReadOptions options) {
        return fromBytesWithRecords(bytes, options).graph();
    }

    /** {@link #fromBytes} with the records of the import passes, as {@link #readWithRecords}. */
    public static PassResult fromBytesWithRecords(byte[] bytes, ReadOptions options) {
        return new OnnxReader(options, null, "the ONNX model").readWithRecords(OnnxReader.parse(bytes, "the ONNX model"));
    }

    public static byte[] toBytes(Graph g) {
        return OnnxWriter.toModel(g).toByteArray();
    }

    /** Writes atomically: a temporary file in the same folder, then a rename over the target. */
    public static void write(Graph g, Path file) {
        byte[] bytes = toBytes(g);
        try {
            AtomicFiles.write(file, bytes);
        } catch (IOException e) {
            throw new InvalidInputException("cannot write ONNX model " + file + ": " + e.getMessage(), e);
        }
    }
}
