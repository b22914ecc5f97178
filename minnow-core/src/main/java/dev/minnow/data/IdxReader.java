package dev.minnow.data;

import dev.minnow.errors.DataException;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Reader of the IDX format of MNIST and Fashion-MNIST (raw or gzip-compressed).
 * <pre>
 * offset  bytes  field
 *      0      2  zero
 *      2      1  element type, 0x08 = unsigned byte (the only one these datasets use)
 *      3      1  number of dimensions: 1 for labels, 3 for images
 *      4   4*nd  dimension sizes, big-endian int32: count [, rows, cols]
 *  4+4nd      *  the elements, row-major, one byte each
 * </pre>
 * So labels start with magic 0x00000801 and images with 0x00000803.
 */
final class IdxReader {
    static final int LABELS_MAGIC = 0x00000801;
    static final int IMAGES_MAGIC = 0x00000803;
    /** Largest image side accepted; guards against allocating gigabytes from a corrupt header. */
    private static final int MAX_SIDE = 4096;

    /** Images of one IDX file: count images of rows x cols bytes. */
    record Images(int count, int rows, int cols, byte[] pixels) {
    }

    private IdxReader() {
    }

    static Images readImages(Path file) {
        try (InputStream raw = DataFiles.open(file); DataInputStream in = new DataInputStream(raw)) {
            int magic = readMagic(in, file, IMAGES_MAGIC, "images");
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (count < 0 || rows <= 0 || cols <= 0 || rows > MAX_SIDE || cols > MAX_SIDE
                    || (long) count * rows * cols > Integer.MAX_VALUE - 8) {
                throw new DataException(file + ": implausible IDX image dimensions " + count + " x " + rows + " x "
                        + cols + " (magic " + hex(magic) + "); the file is corrupt, download it again");
            }
            byte[] pixels = new byte[count * rows * cols];
            int got = DataFiles.readUpTo(in, pixels, 0, pixels.length);
            if (got < pixels.length) {
                throw new DataException(file + " is truncated: the header announces " + count + " images of "
                        + rows + "x" + cols + " (" + pixels.length + " bytes) but only " + got
                        + " bytes follow; download the file again");
            }
            return new Images(count, rows, cols, pixels);
        } catch (IOException e) {
            throw truncatedHeader(file, e);
        }
    }

    static byte[] readLabels(Path file) {
        try (InputStream raw = DataFiles.open(file); DataInputStream in = new DataInputStream(raw)) {
            readMagic(in, file, LABELS_MAGIC, "labels");
            int count = in.readInt();
            if (count < 0) {
                throw new DataException(file + ": negative label count " + count
                        + "; the file is corrupt, download it again");
            }
            byte[] labels = new byte[count];
            int got = DataFiles.readUpTo(in, labels, 0, count);
            if (got < count) {
                throw new DataException(file + " is truncated: the header announces " + count
                        + " labels but only " + got + " follow; download the file again");
            }
            return labels;
        } catch (IOException e) {
            throw truncatedHeader(file, e);
        }
    }

    private static int readMagic(DataInputStream in, Path file, int expected, String what) throws IOException {
        int magic = in.readInt();
        if (magic != expected) {
            String hint = magic == LABELS_MAGIC || magic == IMAGES_MAGIC
                    ? " (this looks like an IDX " + (magic == LABELS_MAGIC ? "labels" : "images")
                            + " file: are the image and label files swapped?)"
                    : " (not an IDX file of unsigned bytes)";
            throw new DataException(file + ": bad magic number " + hex(magic) + ", expected " + hex(expected)
                    + " for IDX " + what + hint + "; replace it with the original file");
        }
        return magic;
    }

    private static DataException truncatedHeader(Path file, IOException e) {
        if (e instanceof java.io.EOFException && e.getMessage() == null) {
            return new DataException(file + " is truncated: it ends inside the IDX header; download it again", e);
        }
        return DataFiles.readFailure(file.toString(), e);
    }

    private static String hex(int v) {
        return String.format("0x%08x", v);
    }
}
