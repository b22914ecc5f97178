package dev.minnow.onnx;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Finds the shared ONNX backend test archive (../shared/data/onnx-backend-tests.tgz beside the
 * checkout, or MINNOW_DATA/../shared/data) and extracts its node tests once per JVM into a temp dir.
 */
final class BackendTestData {
    private static Path nodeDir;

    private BackendTestData() {
    }

    static Path archive() {
        String env = System.getenv("MINNOW_DATA");
        Path cwd = Path.of("").toAbsolutePath();
        java.util.List<Path> candidates = new java.util.ArrayList<>();
        if (env != null) {
            candidates.add(Path.of(env).resolve("onnx-backend-tests.tgz"));
            candidates.add(Path.of(env).resolve("../shared/data/onnx-backend-tests.tgz"));
        }
        for (Path p = cwd; p != null; p = p.getParent()) {
            candidates.add(p.resolve("shared/data/onnx-backend-tests.tgz"));
        }
        return candidates.stream().filter(Files::isRegularFile).findFirst().orElse(null);
    }

    /** The extracted onnx/backend/test/data/node folder, or null when the archive is not available. */
    static synchronized Path nodeTests() throws IOException {
        if (nodeDir != null) {
            return nodeDir;
        }
        Path tgz = archive();
        if (tgz == null) {
            return null;
        }
        Path out = Files.createTempDirectory("onnx-node-tests");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(out)));
        extract(tgz, out, "onnx/backend/test/data/node/");
        nodeDir = out.resolve("onnx/backend/test/data/node");
        return nodeDir;
    }

    /** Minimal ustar/GNU tar reader: regular files whose path starts with prefix. */
    static void extract(Path tgz, Path out, String prefix) throws IOException {
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(tgz), 1 << 16))) {
            byte[] header = new byte[512];
            String longName = null;
            while (in.readNBytes(header, 0, 512) == 512) {
                if (header[0] == 0) {
                    break;
                }
                String name = longName != null ? longName : field(header, 0, 100);
                longName = null;
                String ustarPrefix = field(header, 345, 155);
                if (!ustarPrefix.isEmpty() && name.equals(field(header, 0, 100))) {
                    name = ustarPrefix + "/" + name;
                }
                long size = Long.parseLong(field(header, 124, 12).trim().isEmpty() ? "0" : field(header, 124, 12).trim(), 8);
                byte type = header[156];
                long padded = (size + 511) / 512 * 512;
                if (type == 'L') {
                    byte[] n = in.readNBytes((int) padded);
                    longName = new String(n, 0, (int) size, StandardCharsets.UTF_8).replace("\0", "");
                    continue;
                }
                if (name.startsWith("./")) {
                    name = name.substring(2);
                }
                if ((type == '0' || type == 0) && name.startsWith(prefix) && !name.contains("..")) {
                    Path f = out.resolve(name);
                    Files.createDirectories(f.getParent());
                    Files.write(f, in.readNBytes((int) size));
                    in.skipNBytes(padded - size);
                } else {
                    in.skipNBytes(padded);
                }
            }
        }
    }

    private static void deleteTree(Path root) {
        try (java.util.stream.Stream<Path> s = Files.walk(root)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp folder left behind is harmless
        }
    }

    private static String field(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return new String(h, off, end - off, StandardCharsets.US_ASCII);
    }
}
