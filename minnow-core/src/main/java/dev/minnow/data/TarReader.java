package dev.minnow.data;

import dev.minnow.errors.DataException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Sequential reader of a tar stream (POSIX ustar, with GNU long names and pax path records),
 * enough for dataset archives; wrap the stream in a GZIPInputStream for .tgz / .tar.gz.
 * <pre>
 * header block (512 bytes)      offset  size
 *   name                            0   100   NUL-terminated
 *   size                          124    12   octal ASCII, or base-256 when the first byte has bit 7 set
 *   checksum                      148     8   octal sum of all header bytes, this field counted as spaces
 *   type                          156     1   '0' or NUL file, '5' directory, 'L' GNU long name, 'x' pax, 'g' pax global
 *   magic                         257     6   "ustar"
 *   prefix                        345   155   ustar path prefix, joined to name with '/'
 * then the content, padded with zeros to a multiple of 512; two zero blocks end the archive.
 * </pre>
 */
final class TarReader implements Closeable {
    private static final int BLOCK = 512;

    /** One archive member; name uses '/' and has no leading "./". */
    record Entry(String name, long size, char type) {
        boolean isFile() {
            return type == '0' || type == 0 || type == '7';
        }

        boolean isDirectory() {
            return type == '5' || name.endsWith("/");
        }
    }

    private final InputStream in;
    private final String archiveName;
    private final byte[] header = new byte[BLOCK];
    private long remaining;
    private long padding;
    private boolean finished;

    TarReader(InputStream in, String archiveName) {
        this.in = in;
        this.archiveName = archiveName;
    }

    /** The next entry (its content can then be read once with {@link #readContent}), or null at the end. */
    Entry next() {
        try {
            skip(remaining + padding);
            remaining = 0;
            padding = 0;
            String longName = null;
            while (!finished) {
                if (!readHeader()) {
                    finished = true;
                    return null;
                }
                long size = parseSize();
                char type = (char) (header[156] & 0xff);
                String name = longName != null ? longName : headerName();
                longName = null;
                if (type == 'L' || type == 'x') {
                    byte[] meta = readBytes(size);
                    longName = type == 'L' ? cString(meta, 0, meta.length) : paxPath(meta);
                    continue;
                }
                if (type == 'g') {
                    readBytes(size);
                    continue;
                }
                remaining = size;
                padding = (BLOCK - size % BLOCK) % BLOCK;
                while (name.startsWith("./")) {
                    name = name.substring(2);
                }
                return new Entry(name, size, type);
            }
            return null;
        } catch (IOException e) {
            throw DataFiles.readFailure(archiveName, e);
        }
    }

    /** The whole content of the current entry. */
    byte[] readContent() {
        try {
            byte[] data = readBytes(remaining); // also skips the padding
            remaining = 0;
            padding = 0;
            return data;
        } catch (IOException e) {
            throw DataFiles.readFailure(archiveName, e);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private boolean readHeader() throws IOException {
        int got = DataFiles.readUpTo(in, header, 0, BLOCK);
        if (got == 0) {
            return false; // some writers omit the two zero end blocks
        }
        if (got < BLOCK) {
            throw truncated();
        }
        boolean allZero = true;
        for (byte b : header) {
            if (b != 0) {
                allZero = false;
                break;
            }
        }
        if (allZero) {
            return false;
        }
        long stored = parseOctal(148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : header[i] & 0xff;
        }
        if (stored != sum) {
            throw new DataException(archiveName + " is not a tar archive or is corrupt (header checksum "
                    + stored + " != " + sum + "); pass a .tar, .tgz or .tar.gz made with tar");
        }
        return true;
    }

    private String headerName() {
        String name = cString(header, 0, 100);
        boolean ustar = header[257] == 'u' && header[258] == 's' && header[259] == 't'
                && header[260] == 'a' && header[261] == 'r';
        if (ustar && header[345] != 0) {
            name = cString(header, 345, 155) + "/" + name;
        }
        return name;
    }

    private long parseSize() {
        if ((header[124] & 0x80) != 0) {
            long v = header[124] & 0x7f;
            for (int i = 125; i < 136; i++) {
                v = (v << 8) | (header[i] & 0xff);
            }
            return v;
        }
        return parseOctal(124, 12);
    }

    private long parseOctal(int off, int len) {
        long v = 0;
        for (int i = off; i < off + len; i++) {
            int c = header[i] & 0xff;
            if (c == 0 || (c == ' ' && v > 0)) {
                break;
            }
            if (c == ' ') {
                continue;
            }
            if (c < '0' || c > '7') {
                throw new DataException(archiveName + " is not a tar archive or is corrupt (bad number in a"
                        + " header); pass a .tar, .tgz or .tar.gz made with tar");
            }
            v = v * 8 + (c - '0');
        }
        return v;
    }

    private byte[] readBytes(long size) throws IOException {
        if (size > Integer.MAX_VALUE - 8) {
            throw new DataException(archiveName + ": member of " + size + " bytes is too large to read");
        }
        byte[] data = new byte[(int) size];
        if (DataFiles.readUpTo(in, data, 0, data.length) < data.length) {
            throw truncated();
        }
        long pad = (BLOCK - size % BLOCK) % BLOCK;
        skip(pad);
        return data;
    }

    private void skip(long n) throws IOException {
        long left = n;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw truncated();
                }
                s = 1;
            }
            left -= s;
        }
    }

    private DataException truncated() {
        return new DataException(archiveName + " is truncated (it ends inside a member); download or copy it again");
    }

    private static String paxPath(byte[] meta) {
        // records "LEN key=value\n"; LEN counts the whole record in bytes
        int pos = 0;
        String path = null;
        while (pos < meta.length) {
            int space = pos;
            while (space < meta.length && meta[space] != ' ') {
                space++;
            }
            int len;
            try {
                len = Integer.parseInt(new String(meta, pos, space - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                break;
            }
            if (len <= 0 || pos + len > meta.length) {
                break;
            }
            String record = new String(meta, space + 1, pos + len - space - 2, StandardCharsets.UTF_8);
            if (record.startsWith("path=")) {
                path = record.substring(5);
            }
            pos += len;
        }
        return path;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }
}
