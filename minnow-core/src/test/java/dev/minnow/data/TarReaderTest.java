package dev.minnow.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.DataException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TarReaderTest {
    private static byte[] archive() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TestData.TarWriter tar = new TestData.TarWriter(bytes)) {
            tar.directory("top");
            tar.file("top/a.txt", "hello".getBytes());
            tar.file("top/" + "x".repeat(150) + ".bin", new byte[600]);
            tar.file("top/b.txt", new byte[512]);
            tar.paxFile("top/" + "p".repeat(120) + ".png", new byte[] {1, 2, 3});
        }
        return bytes.toByteArray();
    }

    @Test
    void readsFilesFoldersAndLongNames() throws IOException {
        TarReader tar = new TarReader(new ByteArrayInputStream(archive()), "t.tar");
        TarReader.Entry dir = tar.next();
        assertEquals("top/", dir.name());
        assertTrue(dir.isDirectory());
        TarReader.Entry a = tar.next();
        assertEquals("top/a.txt", a.name());
        assertTrue(a.isFile());
        assertArrayEquals("hello".getBytes(), tar.readContent());
        TarReader.Entry longOne = tar.next(); // skipped without reading its content
        assertEquals("top/" + "x".repeat(150) + ".bin", longOne.name());
        assertEquals(600, longOne.size());
        TarReader.Entry b = tar.next();
        assertEquals("top/b.txt", b.name());
        assertEquals(512, tar.readContent().length);
        TarReader.Entry pax = tar.next();
        assertEquals("top/" + "p".repeat(120) + ".png", pax.name());
        assertArrayEquals(new byte[] {1, 2, 3}, tar.readContent());
        assertNull(tar.next());
    }

    @Test
    void corruptHeaderIsReported() throws IOException {
        byte[] t = archive();
        t[10] ^= 0x55;
        DataException e = assertThrows(DataException.class,
                () -> new TarReader(new ByteArrayInputStream(t), "broken.tar").next());
        assertTrue(e.getMessage().contains("broken.tar") && e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void truncatedArchiveIsReported() throws IOException {
        byte[] t = Arrays.copyOf(archive(), 512 * 3 + 100);
        TarReader tar = new TarReader(new ByteArrayInputStream(t), "short.tar");
        DataException e = assertThrows(DataException.class, () -> {
            for (TarReader.Entry en = tar.next(); en != null; en = tar.next()) {
                tar.readContent();
            }
        });
        assertTrue(e.getMessage().contains("short.tar") && e.getMessage().contains("truncated"), e.getMessage());
    }
}
