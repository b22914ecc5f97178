package dev.minnow.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.minnow.errors.DataException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloaderTest {
    @TempDir
    Path tmp;

    private HttpServer server;
    private final byte[] payload = new byte[300_000];
    private int hits;

    @BeforeEach
    void start() throws IOException {
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + 7);
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/files/data.bin", ex -> {
            hits++;
            ex.sendResponseHeaders(200, payload.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(payload);
            }
        });
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private List<Path> folderContents() throws IOException {
        try (Stream<Path> s = Files.list(tmp.resolve("cache"))) {
            return s.toList();
        }
    }

    @Test
    void downloadsVerifiesAndReportsProgress() throws Exception {
        List<long[]> progress = new ArrayList<>();
        Downloader.Source src = new Downloader.Source("data.bin", url("/files/data.bin"), sha256(payload));
        Path got = new Downloader().download(src, tmp.resolve("cache"), (f, bytes, total) -> {
            assertEquals("data.bin", f);
            progress.add(new long[] {bytes, total});
        });
        assertEquals(tmp.resolve("cache/data.bin"), got);
        assertArrayEquals(payload, Files.readAllBytes(got));
        assertEquals(List.of(got), folderContents()); // no temp file left behind
        long[] last = progress.getLast();
        assertEquals(payload.length, last[0]);
        assertEquals(payload.length, last[1]);
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i)[0] > progress.get(i - 1)[0]);
        }
    }

    @Test
    void checksumMismatchDeletesTheFile() throws Exception {
        byte[] other = payload.clone();
        other[0] ^= 1;
        Downloader.Source src = new Downloader.Source("data.bin", url("/files/data.bin"), sha256(other));
        DataException e = assertThrows(DataException.class,
                () -> new Downloader().download(src, tmp.resolve("cache"), Downloader.Listener.NONE));
        assertTrue(e.getMessage().contains("SHA-256") && e.getMessage().contains(sha256(payload)), e.getMessage());
        assertEquals(List.of(), folderContents());
    }

    @Test
    void notFoundIsReportedAndTheNextMirrorIsTried() throws Exception {
        Downloader.Source missing = new Downloader.Source("x.bin", url("/nope/x.bin"), null);
        DataException e = assertThrows(DataException.class,
                () -> new Downloader().download(missing, tmp.resolve("cache"), Downloader.Listener.NONE));
        assertTrue(e.getMessage().contains("404") && e.getMessage().contains("x.bin"), e.getMessage());
        assertEquals(List.of(), folderContents());

        Downloader.Source mirrored = new Downloader.Source("data.bin",
                List.of(url("/nope/data.bin"), url("/files/data.bin")), sha256(payload));
        Path got = new Downloader().download(mirrored, tmp.resolve("cache"), Downloader.Listener.NONE);
        assertArrayEquals(payload, Files.readAllBytes(got));
    }

    @Test
    void ensureDownloadedFetchesOnlyMissingMnistFilesThatThenLoad() throws Exception {
        // a local table: the shared MNIST copies served over HTTP with their own checksums
        Path shared = TestData.sharedDataDir().resolve("mnist");
        List<Downloader.Source> sources = new ArrayList<>();
        for (String f : MnistLoader.FILES) {
            byte[] content = Files.readAllBytes(shared.resolve(f + ".gz"));
            server.createContext("/mnist/" + f + ".gz", ex -> {
                ex.sendResponseHeaders(200, content.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(content);
                }
            });
            sources.add(new Downloader.Source(f + ".gz", url("/mnist/" + f + ".gz"), sha256(content)));
        }
        var table = java.util.Map.of("mnist", new OfficialSources.Entry("mnist", sources));
        Path dataDir = tmp.resolve("data");
        // one file already present (raw, uncompressed): it must not be fetched again
        Files.createDirectories(dataDir.resolve("mnist"));
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(shared.resolve(MnistLoader.TEST_LABELS + ".gz")))) {
            Files.write(dataDir.resolve("mnist").resolve(MnistLoader.TEST_LABELS), in.readAllBytes());
        }
        List<String> reported = new ArrayList<>();
        List<Path> fetched = Datasets.ensureDownloaded("mnist", dataDir, (f, b, t) -> {
            if (b == t) {
                reported.add(f);
            }
        }, table, new Downloader());
        assertEquals(3, fetched.size());
        assertEquals(List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"),
                reported);
        DatasetSplit s = Datasets.load("mnist", dataDir);
        assertEquals(60_000, s.train().size());
        assertEquals(10_000, s.test().size());
        assertEquals(0, Datasets.ensureDownloaded("mnist", dataDir, Downloader.Listener.NONE, table,
                new Downloader()).size());
    }

    @Test
    void downloadMissingSkipsFilesAlreadyThere() throws Exception {
        Downloader.Source src = new Downloader.Source("data.bin", url("/files/data.bin"), sha256(payload));
        Downloader d = new Downloader();
        assertEquals(1, d.downloadMissing(List.of(src), tmp.resolve("cache"), Downloader.Listener.NONE).size());
        assertEquals(0, d.downloadMissing(List.of(src), tmp.resolve("cache"), Downloader.Listener.NONE).size());
        assertEquals(1, hits);
        assertFalse(Files.exists(tmp.resolve("cache/x.bin")));
    }

    @Test
    void downloadedFilesGetThePermissionsOfAnyNewFile() throws Exception {
        Downloader.Source src = new Downloader.Source("data.bin", url("/files/data.bin"), sha256(payload));
        Path got = new Downloader().download(src, tmp.resolve("cache"), Downloader.Listener.NONE);
        if (!Files.getFileStore(got).supportsFileAttributeView("posix")) {
            return; // no POSIX modes to compare on this file system
        }
        Path plain = tmp.resolve("cache/plain.bin");
        Files.write(plain, new byte[] {1});
        // not the owner-only mode of a temporary file: others may read a shared data folder
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(got));
    }
}
