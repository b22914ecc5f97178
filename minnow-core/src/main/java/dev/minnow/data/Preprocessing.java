package dev.minnow.data;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How images in [0, 1] (NCHW, channels RGB or gray, as {@link Dataset}s give them) become the
 * input a model expects: resize, channel order, scale, mean and std, layout and element type.
 * Models made elsewhere expect different things (raw 0..255 pixels, BGR, NHWC, uint8); this
 * record says which, and travels in the model's metadata (keys "minnow.preprocess.*") so later
 * commands reuse it.
 *
 * <p>Per pixel: v = x * scale; v = (v - mean[c]) / std[c]; then channel order, layout and type.
 *
 * @param scale  multiplies the [0, 1] pixel (255 for models that take raw pixels)
 * @param mean   per channel (or one value for all), subtracted after scaling
 * @param std    per channel (or one value for all), divides after subtracting the mean
 * @param bgr    reverse the channel order (RGB to BGR)
 * @param nhwc   lay the input out as NHWC instead of NCHW
 * @param resize target height and width (0 = keep), bilinear
 * @param uint8  feed uint8 (rounded, clamped to 0..255) instead of float32
 */
public record Preprocessing(double scale, double[] mean, double[] std, boolean bgr, boolean nhwc, int resize, boolean uint8) {
    public static final String PREFIX = "minnow.preprocess.";

    public Preprocessing {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new InvalidInputException("--scale must be a positive number, got " + scale);
        }
        for (double s : std) {
            if (!(s > 0)) {
                throw new InvalidInputException("--std values must be positive, got " + Arrays.toString(std));
            }
        }
        if (mean.length == 0 || std.length == 0) {
            throw new InvalidInputException("--mean and --std need at least one value");
        }
        if (resize < 0) {
            throw new InvalidInputException("--resize must be >= 0, got " + resize);
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** Identity: the [0, 1] image as it is. */
    public static Preprocessing none() {
        return new Preprocessing(1, new double[] {0}, new double[] {1}, false, false, 0, false);
    }

    /** The dataset's own normalization (what Minnow-trained models expect). */
    public static Preprocessing of(Normalization n) {
        double[] m = new double[n.mean().length];
        double[] s = new double[n.std().length];
        for (int i = 0; i < m.length; i++) {
            m[i] = n.mean()[i];
            s[i] = n.std()[i];
        }
        return new Preprocessing(1, m, s, false, false, 0, false);
    }

    /**
     * The per-channel normalization this amounts to on [0, 1] images, for a trainer that
     * normalizes as (x - mean) / std: (x * scale - m) / s = (x - m / scale) / (s / scale).
     */
    public Normalization normalization(int channels) {
        float[] m = new float[channels];
        float[] s = new float[channels];
        for (int c = 0; c < channels; c++) {
            m[c] = (float) (mean[Math.min(c, mean.length - 1)] / scale);
            s[c] = (float) (std[Math.min(c, std.length - 1)] / scale);
        }
        return new Normalization(m, s);
    }

    /**
     * The split as training must see it for a model that expects this preprocessing: channel
     * order and size applied to the images, scale, mean and std as the split's normalization
     * (which the trainer applies to train and test batches). Training feeds float NCHW batches,
     * so a model taking NHWC or uint8 input cannot be trained this way.
     */
    public DatasetSplit forTraining(DatasetSplit split) {
        if (nhwc || uint8) {
            throw new InvalidInputException("training feeds float32 NCHW images, but this model takes "
                    + (nhwc ? "NHWC" : "NCHW") + (uint8 ? " uint8" : " float") + " input; train a model with a float"
                    + " NCHW input (or give --layout nchw --input-type float if the model's metadata is wrong)");
        }
        Dataset train = split.train();
        Dataset test = split.test();
        if (bgr || resize > 0) {
            train = new ReorderedResizedDataset(train, bgr, resize);
            test = new ReorderedResizedDataset(test, bgr, resize);
        }
        return new DatasetSplit(split.name(), train, test, normalization(train.sampleShape().dim(0)));
    }

    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(PREFIX + "scale", String.valueOf(scale));
        m.put(PREFIX + "mean", join(mean));
        m.put(PREFIX + "std", join(std));
        m.put(PREFIX + "channel_order", bgr ? "bgr" : "rgb");
        m.put(PREFIX + "layout", nhwc ? "nhwc" : "nchw");
        m.put(PREFIX + "resize", String.valueOf(resize));
        m.put(PREFIX + "input_type", uint8 ? "uint8" : "float");
        return m;
    }

    /**
     * What a model's metadata says, or null when it says nothing: Minnow's own keys first, then
     * the Windows ML image keys (Image.NominalPixelRange, Image.BitmapPixelFormat) some model-zoo files carry.
     */
    public static Preprocessing fromMetadata(Map<String, String> md) {
        if (md.containsKey(PREFIX + "scale")) {
            double scale = number(md, "scale", null);
            double[] mean = numbers(md, "mean");
            double[] std = numbers(md, "std");
            double resize = number(md, "resize", "0");
            if (resize != Math.rint(resize) || resize > Integer.MAX_VALUE) {
                throw badMetadata("resize", md.get(PREFIX + "resize"), "a whole number of pixels");
            }
            try {
                return new Preprocessing(scale, mean, std, "bgr".equals(md.get(PREFIX + "channel_order")),
                        "nhwc".equals(md.get(PREFIX + "layout")), (int) resize, "uint8".equals(md.get(PREFIX + "input_type")));
            } catch (InvalidInputException e) {
                throw new InvalidInputException("the model's metadata (" + PREFIX + "*) describes an impossible"
                        + " preprocessing: " + e.getMessage() + "; fix the model's metadata or re-export it", e);
            }
        }
        String range = md.get("Image.NominalPixelRange");
        String format = md.get("Image.BitmapPixelFormat");
        if (range == null && format == null) {
            return null;
        }
        double scale = switch (range == null ? "" : range) {
            case "NominalRange_0_255" -> 255;
            case "Normalized_0_1" -> 1;
            case "Normalized_1_1" -> 2;
            default -> 255;
        };
        double mean = "Normalized_1_1".equals(range) ? 1 : 0;
        return new Preprocessing(scale, new double[] {mean}, new double[] {1}, "Bgr8".equals(format), false, 0, false);
    }

    private static double number(Map<String, String> md, String key, String missing) {
        String v = md.getOrDefault(PREFIX + key, missing);
        if (v == null) {
            throw badMetadata(key, null, "a number");
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw badMetadata(key, v, "a number");
        }
    }

    private static double[] numbers(Map<String, String> md, String key) {
        String v = md.get(PREFIX + key);
        if (v == null) {
            throw badMetadata(key, null, "a comma-separated list of numbers");
        }
        try {
            return Arrays.stream(v.trim().split("[,\\s]+")).mapToDouble(Double::parseDouble).toArray();
        } catch (NumberFormatException e) {
            throw badMetadata(key, v, "a comma-separated list of numbers");
        }
    }

    private static InvalidInputException badMetadata(String key, String value, String expected) {
        return new InvalidInputException("the model's metadata key " + PREFIX + key + (value == null ? " is missing"
                : " holds '" + value + "'") + ", expected " + expected + "; fix the model's metadata or re-export it");
    }

    /** Applies this to a batch of [0, 1] images [N, C, H, W]; returns a new tensor. */
    public Tensor apply(Tensor images) {
        Shape s = images.shape();
        int n = s.dim(0);
        int c = s.dim(1);
        int h = resize > 0 ? resize : s.dim(2);
        int w = resize > 0 ? resize : s.dim(3);
        float[] src = resize > 0 ? resizeBilinear(images.floats(), n, c, s.dim(2), s.dim(3), h, w) : images.floats();
        int plane = h * w;
        float[] dst = new float[n * c * plane];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int from = bgr ? c - 1 - ch : ch;
                double m = mean[Math.min(ch, mean.length - 1)];
                double sd = std[Math.min(ch, std.length - 1)];
                int si = (b * c + from) * plane;
                for (int p = 0; p < plane; p++) {
                    float v = (float) ((src[si + p] * scale - m) / sd);
                    int di = nhwc ? (b * plane + p) * c + ch : (b * c + ch) * plane + p;
                    dst[di] = v;
                }
            }
        }
        Shape out = nhwc ? Shape.of(n, h, w, c) : Shape.of(n, c, h, w);
        if (!uint8) {
            return Tensor.of(out, dst);
        }
        byte[] q = new byte[dst.length];
        for (int i = 0; i < dst.length; i++) {
            q[i] = (byte) Math.max(0, Math.min(255, Math.round(dst[i])));
        }
        return Tensor.wrap(DType.UINT8, out, q);
    }

    /** Bilinear resize with half-pixel centres (as ONNX Resize linear / PIL). */
    static float[] resizeBilinear(float[] x, int n, int c, int ih, int iw, int oh, int ow) {
        float[] y = new float[n * c * oh * ow];
        double sy = (double) ih / oh;
        double sx = (double) iw / ow;
        for (int p = 0; p < n * c; p++) {
            for (int oy = 0; oy < oh; oy++) {
                double fy = Math.max(0, (oy + 0.5) * sy - 0.5);
                int y0 = Math.min((int) fy, ih - 1);
                int y1 = Math.min(y0 + 1, ih - 1);
                double dy = fy - y0;
                for (int ox = 0; ox < ow; ox++) {
                    double fx = Math.max(0, (ox + 0.5) * sx - 0.5);
                    int x0 = Math.min((int) fx, iw - 1);
                    int x1 = Math.min(x0 + 1, iw - 1);
                    double dx = fx - x0;
                    int base = p * ih * iw;
                    double top = x[base + y0 * iw + x0] * (1 - dx) + x[base + y0 * iw + x1] * dx;
                    double bot = x[base + y1 * iw + x0] * (1 - dx) + x[base + y1 * iw + x1] * dx;
                    y[(p * oh + oy) * ow + ox] = (float) (top * (1 - dy) + bot * dy);
                }
            }
        }
        return y;
    }

    private static String join(double[] v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            b.append(i > 0 ? "," : "").append(v[i]);
        }
        return b.toString();
    }

    /** Parses "0.5,0.4,0.3" (commas or spaces). */
    public static double[] parse(String list) {
        try {
            return Arrays.stream(list.trim().split("[,\\s]+")).mapToDouble(Double::parseDouble).toArray();
        } catch (NumberFormatException e) {
            throw new InvalidInputException("expected a comma-separated list of numbers, got '" + list + "'");
        }
    }
}
