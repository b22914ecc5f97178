package dev.minnow.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one way Minnow writes a whole file (models, checkpoints, downloads, reports): into a
 * temporary file beside the target, synced to disk, then renamed over the target in one atomic
 * step, and the folder synced. A reader sees the old file or the new one, never half of one; a
 * failed or interrupted write leaves the old file and no temporary one; after a crash the file
 * that was renamed in holds its bytes (without the file sync, a power cut after the rename can
 * leave an empty or truncated file under the target's name).
 *
 * <p>The new file gets the permissions any newly created file gets (0666 less the umask, so
 * rw-r--r-- with the usual umask 022), not the owner-only ones of {@code Files.createTempFile}.
 * A rename within one folder is atomic on every file system Java runs on; where it is not,
 * the write fails with {@link AtomicMoveNotSupportedException} rather than copying in place,
 * which could leave half a file.
 */
public final class AtomicFiles {
    /** Writes the new file's content; throwing (anything) abandons the write. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** The file-system steps that make a write durable, apart so tests can observe their order. */
    interface Steps {
        default void syncFile(FileChannel file) throws IOException {
            file.force(true);
        }

        default void rename(Path from, Path to) throws IOException {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }

        /** Makes the rename itself durable; Windows cannot open a folder for syncing, so it is skipped there. */
        default void syncDirectory(Path dir) throws IOException {
            if (System.getProperty("os.name", "").startsWith("Windows")) {
                return;
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        }
    }

    private static final Steps REAL = new Steps() {
    };

    private AtomicFiles() {
    }

    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Streams the content into place (for downloads and other files too large to hold in memory). */
    public static void write(Path target, Body body) throws IOException {
        write(target, body, REAL);
    }

    static void write(Path target, Body body, Steps steps) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = null;
        try {
            FileChannel ch = null;
            for (int attempt = 0; ch == null; attempt++) {
                tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                        + ".tmp");
                try {
                    // no file attributes: the umask decides the mode, as for any new file
                    ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    tmp = null;
                    if (attempt == 10) {
                        throw e;
                    }
                }
            }
            try (FileChannel file = ch; OutputStream out = new BufferedOutputStream(Channels.newOutputStream(file), 1 << 16)) {
                body.writeTo(out);
                out.flush();
                steps.syncFile(file);
            }
            try {
                steps.rename(tmp, target);
            } catch (AtomicMoveNotSupportedException e) {
                throw new AtomicMoveNotSupportedException(tmp.toString(), target.toString(), "the file system of "
                        + dir + " cannot rename a file atomically, so " + target.getFileName() + " could be left half"
                        + " written; write it to a folder on a local disk");
            }
            tmp = null;
            try {
                steps.syncDirectory(dir);
            } catch (IOException e) {
                // some file systems (network, FUSE) refuse to sync a folder: the new file is in
                // place and whole; only whether the rename survives a power cut is left to them
            }
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
