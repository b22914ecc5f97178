package dev.minnow.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @Test
    void writesReplacesLeavesNoTempFileAndIsReadableByOthers(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("sub/model.onnx");
        AtomicFiles.write(f, new byte[] {1, 2, 3});
        AtomicFiles.write(f, new byte[] {4, 5});
        assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(f));
        assertEquals(List.of(f), list(f.getParent()), "only the target remains");
        if (Files.getFileStore(f).supportsFileAttributeView("posix")) {
            assertTrue(Files.getPosixFilePermissions(f).contains(PosixFilePermission.OTHERS_READ));
        }
    }

    @Test
    void newFilesGetThePermissionsOfAnyNewFile(@TempDir Path dir) throws Exception {
        if (!Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            return; // no POSIX modes to compare on this file system
        }
        Path plain = dir.resolve("plain.bin");
        Files.write(plain, new byte[] {1});
        Path atomic = dir.resolve("atomic.bin");
        AtomicFiles.write(atomic, out -> out.write(7));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
    }

    @Test
    void syncsTheFileBeforeTheRenameAndTheFolderAfter(@TempDir Path dir) throws Exception {
        List<String> events = new ArrayList<>();
        Path f = dir.resolve("ckpt.bin");
        AtomicFiles.Steps recording = new AtomicFiles.Steps() {
            @Override
            public void syncFile(FileChannel file) throws IOException {
                events.add("sync file of " + file.size() + " bytes");
                AtomicFiles.Steps.super.syncFile(file);
            }

            @Override
            public void rename(Path from, Path to) throws IOException {
                events.add("rename to " + to.getFileName() + (Files.exists(to) ? " (target exists)" : ""));
                AtomicFiles.Steps.super.rename(from, to);
            }

            @Override
            public void syncDirectory(Path d) throws IOException {
                events.add("sync folder " + d.getFileName());
                AtomicFiles.Steps.super.syncDirectory(d);
            }
        };
        AtomicFiles.write(f, out -> out.write(new byte[100_000]), recording);
        assertEquals(List.of("sync file of 100000 bytes", "rename to ckpt.bin", "sync folder " + dir.getFileName()), events);
        assertEquals(100_000, Files.size(f));
    }

    @Test
    void refusesANonAtomicRenameAndKeepsTheOldFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("model.onnx");
        AtomicFiles.write(f, new byte[] {1, 2, 3});
        AtomicFiles.Steps noAtomicRename = new AtomicFiles.Steps() {
            @Override
            public void rename(Path from, Path to) throws IOException {
                throw new AtomicMoveNotSupportedException(from.toString(), to.toString(), "not here");
            }
        };
        AtomicMoveNotSupportedException e = assertThrows(AtomicMoveNotSupportedException.class,
                () -> AtomicFiles.write(f, out -> out.write(9), noAtomicRename));
        assertTrue(e.getReason().contains("cannot rename a file atomically"), e.getReason());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        assertEquals(List.of(f), list(dir), "no temporary file left");
    }

    @Test
    void aFailingBodyLeavesTheOldFileAndNoTempFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("data.bin");
        AtomicFiles.write(f, new byte[] {5});
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[1000]);
            throw new IllegalStateException("checksum mismatch");
        }));
        assertArrayEquals(new byte[] {5}, Files.readAllBytes(f));
        assertEquals(List.of(f), list(dir));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.toList();
        }
    }
}
