package dev.minnow.data;

import dev.minnow.errors.DataException;
import dev.minnow.kernels.Parallel;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes encoded JPEG/PNG images (held in memory) into one uint8 CHW array, in parallel on
 * the shared pool. All images must have the size of the first one. The result has 3 channels
 * (grey images replicated) unless every image is single-channel grey, then 1.
 */
final class ImageDecoder {
    /** Images decoded per pool task; large enough to amortize the reader set-up. */
    private static final int MIN_CHUNK = 64;

    /** n images of channels x height x width bytes, image after image. */
    record Decoded(byte[] pixels, int count, int channels, int height, int width) {
    }

    private ImageDecoder() {
    }

    /** names[i] is how errors refer to image i, for example "train/cat/0001.jpg in cifar10-jpeg.tgz". */
    static Decoded decodeAll(List<String> names, List<byte[]> contents) {
        int n = contents.size();
        if (n == 0) {
            throw new IllegalArgumentException("no images to decode");
        }
        Readers firstReaders = new Readers();
        BufferedImage first;
        try {
            first = firstReaders.decode(contents.get(0), names.get(0));
        } finally {
            firstReaders.dispose();
        }
        int h = first.getHeight();
        int w = first.getWidth();
        int plane = h * w;
        long total = (long) n * 3 * plane;
        if (total > Integer.MAX_VALUE - 8) {
            throw new DataException(n + " images of " + w + "x" + h + " do not fit in memory as one array ("
                    + total + " bytes); use fewer or smaller images");
        }
        byte[] pixels = new byte[(int) total];
        AtomicBoolean anyColor = new AtomicBoolean();
        Parallel.forRange(n, MIN_CHUNK, (from, to) -> {
            Readers readers = new Readers();
            int[] rgb = new int[plane];
            try {
                for (int i = from; i < to; i++) {
                    BufferedImage img = readers.decode(contents.get(i), names.get(i));
                    if (img.getWidth() != w || img.getHeight() != h) {
                        throw new DataException(names.get(i) + " is " + img.getWidth() + "x" + img.getHeight()
                                + " but " + names.get(0) + " is " + w + "x" + h + "; all images of a dataset must"
                                + " have the same size, resize them first");
                    }
                    if (!toPlanes(img, pixels, i * 3 * plane, rgb)) {
                        anyColor.set(true);
                    }
                }
            } finally {
                readers.dispose();
            }
        });
        if (anyColor.get()) {
            return new Decoded(pixels, n, 3, h, w);
        }
        byte[] grey = new byte[n * plane];
        for (int i = 0; i < n; i++) {
            System.arraycopy(pixels, i * 3 * plane, grey, i * plane, plane);
        }
        return new Decoded(grey, n, 1, h, w);
    }

    /**
     * Writes the image as 3 planes (R, G, B) at dst[off]; returns true when it was single-channel grey
     * (then the 3 planes are equal). Grey samples are read raw: BufferedImage.getRGB would apply
     * a gamma conversion to them.
     */
    private static boolean toPlanes(BufferedImage img, byte[] dst, int off, int[] rgb) {
        int w = img.getWidth();
        int h = img.getHeight();
        int plane = w * h;
        Raster raster = img.getRaster();
        boolean grey = raster.getNumBands() == 1 && !(img.getColorModel() instanceof IndexColorModel);
        if (grey) {
            int bits = raster.getSampleModel().getSampleSize(0);
            int max = (1 << bits) - 1;
            raster.getSamples(0, 0, w, h, 0, rgb);
            for (int p = 0; p < plane; p++) {
                byte v = (byte) (bits == 8 ? rgb[p] : (rgb[p] * 255 + max / 2) / max);
                dst[off + p] = v;
                dst[off + plane + p] = v;
                dst[off + 2 * plane + p] = v;
            }
            return true;
        }
        if (img.getType() == BufferedImage.TYPE_3BYTE_BGR
                && raster.getDataBuffer() instanceof DataBufferByte buf && buf.getNumBanks() == 1
                && buf.getData().length == 3 * plane) {
            byte[] bgr = buf.getData();
            for (int p = 0; p < plane; p++) {
                dst[off + p] = bgr[3 * p + 2];
                dst[off + plane + p] = bgr[3 * p + 1];
                dst[off + 2 * plane + p] = bgr[3 * p];
            }
            return false;
        }
        img.getRGB(0, 0, w, h, rgb, 0, w);
        for (int p = 0; p < plane; p++) {
            int v = rgb[p];
            dst[off + p] = (byte) (v >>> 16);
            dst[off + plane + p] = (byte) (v >>> 8);
            dst[off + 2 * plane + p] = (byte) v;
        }
        return false;
    }

    /** One JPEG and one PNG reader, reused for a run of images on one thread. */
    private static final class Readers {
        private ImageReader jpeg;
        private ImageReader png;

        BufferedImage decode(byte[] bytes, String name) {
            ImageReader reader = readerFor(bytes, name);
            try (ImageInputStream iis = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
                reader.setInput(iis, true, true);
                BufferedImage img = reader.read(0);
                reader.setInput(null);
                return img;
            } catch (IOException | RuntimeException e) {
                // decoders throw IIOException but also unchecked exceptions on corrupt input
                throw new DataException("cannot decode image " + name + ": " + e.getMessage()
                        + "; the file is corrupt or truncated, replace or delete it", e);
            }
        }

        private ImageReader readerFor(byte[] b, String name) {
            if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
                if (jpeg == null) {
                    jpeg = reader("jpeg");
                }
                return jpeg;
            }
            if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
                if (png == null) {
                    png = reader("png");
                }
                return png;
            }
            throw new DataException("cannot decode image " + name + ": it is neither a JPEG nor a PNG file ("
                    + b.length + " bytes); replace or delete it");
        }

        private static ImageReader reader(String format) {
            Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format);
            if (!it.hasNext()) {
                throw new IllegalStateException("this Java runtime has no " + format + " decoder (javax.imageio)");
            }
            return it.next();
        }

        void dispose() {
            if (jpeg != null) {
                jpeg.dispose();
            }
            if (png != null) {
                png.dispose();
            }
        }
    }
}
