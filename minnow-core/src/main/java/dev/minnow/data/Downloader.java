package dev.minnow.data;

import dev.minnow.errors.DataException;
import dev.minnow.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Downloads dataset files over HTTP(S) into a cache folder through {@link AtomicFiles}: streamed to
 * a temporary file in that folder, SHA-256 checked, synced and renamed, so a folder never holds a
 * half-written or wrong file.
 * No resuming: an interrupted download starts again.
 */
public final class Downloader {
    private static final int BUFFER_BYTES = 1 << 16;

    /** Progress of one file; totalBytes is -1 when the server does not say. */
    @FunctionalInterface
    public interface Listener {
        void progress(String fileName, long bytes, long totalBytes);

        Listener NONE = (f, b, t) -> { };
    }

    /**
     * One file to fetch: its name in the cache folder, the URLs to try in order (mirrors), and the
     * expected SHA-256 in lower-case hex (null = unchecked, only for files nobody published a sum for).
     */
    public record Source(String fileName, List<URI> urls, String sha256) {
        public Source {
            urls = List.copyOf(urls);
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("no URL for " + fileName);
            }
        }

        public Source(String fileName, URI url, String sha256) {
            this(fileName, List.of(url), sha256);
        }
    }

    private final HttpClient client;

    public Downloader() {
        this(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build());
    }

    public Downloader(HttpClient client) {
        this.client = client;
    }

    /** Downloads the sources whose files are missing in dir; returns the files it downloaded. */
    public List<Path> downloadMissing(List<Source> sources, Path dir, Listener listener) {
        List<Path> fetched = new ArrayList<>();
        for (Source s : sources) {
            if (!Files.isRegularFile(dir.resolve(s.fileName()))) {
                fetched.add(download(s, dir, listener));
            }
        }
        return fetched;
    }

    /** Downloads one file into dir (replacing any file of that name), trying each mirror in turn. */
    public Path download(Source source, Path dir, Listener listener) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DataException("cannot create the data folder " + dir + ": " + e.getMessage()
                    + "; choose another with --data-dir or MINNOW_DATA", e);
        }
        List<String> failures = new ArrayList<>();
        for (URI url : source.urls()) {
            try {
                return fetch(source, url, dir, listener);
            } catch (MirrorFailure f) {
                failures.add(f.getMessage());
            }
        }
        throw new DataException("could not download " + source.fileName() + ": " + String.join("; ", failures)
                + ". Check the network, or download the file by hand into " + dir);
    }

    private Path fetch(Source source, URI url, Path dir, Listener listener) {
        Path target = dir.resolve(source.fileName());
        try {
            HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(10)).GET().build();
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new MirrorFailure(url + " answered HTTP " + response.statusCode());
                }
                long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                // a wrong length or checksum throws inside the write, which then leaves no file behind
                AtomicFiles.write(target, out -> {
                    MessageDigest sha = sha256();
                    long done = 0;
                    byte[] buf = new byte[BUFFER_BYTES];
                    for (int n = body.read(buf); n >= 0; n = body.read(buf)) {
                        out.write(buf, 0, n);
                        sha.update(buf, 0, n);
                        done += n;
                        listener.progress(source.fileName(), done, total);
                    }
                    if (total >= 0 && done != total) {
                        throw new MirrorFailure(url + " sent " + done + " of " + total + " bytes");
                    }
                    String actual = HexFormat.of().formatHex(sha.digest());
                    if (source.sha256() != null && !source.sha256().equalsIgnoreCase(actual)) {
                        throw new DataException(source.fileName() + " from " + url + " has SHA-256 " + actual
                                + " but " + source.sha256() + " was expected; the download was deleted. Retry later or"
                                + " from another mirror; if it persists the file changed upstream");
                    }
                });
            }
            return target;
        } catch (AtomicMoveNotSupportedException e) {
            throw new DataException("cannot store " + source.fileName() + ": " + e.getReason()
                    + "; choose another folder with --data-dir or MINNOW_DATA", e);
        } catch (IOException e) {
            throw new MirrorFailure(url + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException("download of " + source.fileName() + " was interrupted", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /** One mirror failed; the next one is tried. */
    private static final class MirrorFailure extends RuntimeException {
        MirrorFailure(String message) {
            super(message, null, false, false);
        }
    }
}
