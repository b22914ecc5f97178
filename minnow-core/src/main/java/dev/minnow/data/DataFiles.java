package dev.minnow.data;

import dev.minnow.errors.DataException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Small file helpers shared by the dataset readers. */
final class DataFiles {
    private static final int BUFFER_BYTES = 1 << 16;

    private DataFiles() {
    }

    /** Opens a file for reading, decompressing it when it starts with the gzip magic bytes (whatever its name). */
    static InputStream open(Path file) {
        try {
            InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER_BYTES);
            in.mark(2);
            int b0 = in.read();
            int b1 = in.read();
            in.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                return new BufferedInputStream(new GZIPInputStream(in, BUFFER_BYTES), BUFFER_BYTES);
            }
            return in;
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e.getMessage()
                    + "; check that the file exists and is readable", e);
        }
    }

    /** Reads until dst[off, off+len) is full or the stream ends; returns the number of bytes read. */
    static int readUpTo(InputStream in, byte[] dst, int off, int len) throws IOException {
        int done = 0;
        while (done < len) {
            int n = in.read(dst, off + done, len - done);
            if (n < 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    /** Wraps an I/O failure while reading {@code what} into a DataException a user can act on. */
    static DataException readFailure(String what, IOException e) {
        return new DataException("cannot read " + what + ": " + e.getMessage()
                + " (the file may be truncated or corrupt; download it again)", e);
    }

    /** First existing file among name and name.gz in dir, or null. */
    static Path rawOrGz(Path dir, String name) {
        Path raw = dir.resolve(name);
        if (Files.isRegularFile(raw)) {
            return raw;
        }
        Path gz = dir.resolve(name + ".gz");
        return Files.isRegularFile(gz) ? gz : null;
    }
}
