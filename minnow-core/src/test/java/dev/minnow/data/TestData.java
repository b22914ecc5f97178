package dev.minnow.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/** Helpers that write small dataset files for tests, and find the shared real data. */
final class TestData {
    private TestData() {
    }

    /**
     * The shared data folder (../shared/data beside the checkout): MINNOW_DATA, else the
     * MINNOW_DATA_DEFAULT that surefire sets, else the first shared/data found walking up from here.
     */
    static Path sharedDataDir() {
        for (String env : new String[] {"MINNOW_DATA", "MINNOW_DATA_DEFAULT"}) {
            String v = System.getenv(env);
            if (v != null && Files.isDirectory(Path.of(v, "mnist"))) {
                return Path.of(v);
            }
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("data");
            if (Files.isDirectory(candidate.resolve("mnist"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("shared test data not found: set MINNOW_DATA to the folder holding mnist/,"
                + " fashion-mnist/ and cifar10-jpeg.tgz (../shared/data beside the checkout)");
    }

    static byte[] idxImages(int count, int rows, int cols, byte[] pixels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x00000803);
        out.writeInt(count);
        out.writeInt(rows);
        out.writeInt(cols);
        out.write(pixels);
        return bytes.toByteArray();
    }

    static byte[] idxLabels(byte[] labels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x00000801);
        out.writeInt(labels.length);
        out.write(labels);
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(data);
        }
        return bytes.toByteArray();
    }

    static byte[] png(BufferedImage img) throws IOException {
        return encode(img, "png");
    }

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, bytes)) {
            throw new IllegalStateException("no " + format + " writer");
        }
        return bytes.toByteArray();
    }

    /** An RGB image whose pixel (x, y) has R = base + x, G = base + y, B = base + x + y (mod 256). */
    static BufferedImage gradient(int w, int h, int base) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (base + x) & 0xff;
                int g = (base + y) & 0xff;
                int b = (base + x + y) & 0xff;
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    static void write(Path file, byte[] data) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, data);
    }

    /** Minimal ustar writer, independent of TarReader: files, folders and GNU long names. */
    static final class TarWriter implements AutoCloseable {
        private final OutputStream out;

        TarWriter(OutputStream out) {
            this.out = out;
        }

        static TarWriter gzipped(Path file) throws IOException {
            return new TarWriter(new GZIPOutputStream(Files.newOutputStream(file)));
        }

        void directory(String name) throws IOException {
            header(name.endsWith("/") ? name : name + "/", 0, '5');
        }

        void file(String name, byte[] data) throws IOException {
            if (name.getBytes(StandardCharsets.UTF_8).length > 99) {
                byte[] longName = (name + "\0").getBytes(StandardCharsets.UTF_8);
                header("././@LongLink", longName.length, 'L');
                body(longName);
                header(name.substring(0, 99), data.length, '0');
            } else {
                header(name, data.length, '0');
            }
            body(data);
        }

        /** A file whose real name is only in a pax extended header (as tar --format=pax writes long names). */
        void paxFile(String name, byte[] data) throws IOException {
            String body = " path=" + name + "\n";
            int len = body.length(); // the record length counts its own decimal digits: iterate to the fixed point
            while (String.valueOf(len).length() + body.length() != len) {
                len = String.valueOf(len).length() + body.length();
            }
            byte[] record = (len + body).getBytes(StandardCharsets.UTF_8);
            if (record.length != len) {
                throw new IllegalStateException("pax record length " + record.length + " != " + len);
            }
            header("PaxHeaders/x", record.length, 'x');
            body(record);
            header("truncated-name", data.length, '0');
            body(data);
        }

        private void header(String name, long size, char type) throws IOException {
            byte[] h = new byte[512];
            put(h, 0, name);
            put(h, 100, "0000644");
            put(h, 108, "0000000");
            put(h, 116, "0000000");
            put(h, 124, String.format("%011o", size));
            put(h, 136, "00000000000");
            for (int i = 148; i < 156; i++) {
                h[i] = ' ';
            }
            h[156] = (byte) type;
            put(h, 257, "ustar");
            put(h, 263, "00");
            int sum = 0;
            for (byte b : h) {
                sum += b & 0xff;
            }
            put(h, 148, String.format("%06o", sum));
            h[154] = 0;
            h[155] = ' ';
            out.write(h);
        }

        private void body(byte[] data) throws IOException {
            out.write(data);
            int pad = (512 - data.length % 512) % 512;
            out.write(new byte[pad]);
        }

        private static void put(byte[] h, int off, String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(b, 0, h, off, Math.min(b.length, 100));
        }

        /** Writes the end-of-archive blocks and closes the stream. */
        @Override
        public void close() throws IOException {
            out.write(new byte[1024]);
            out.close();
        }
    }
}
