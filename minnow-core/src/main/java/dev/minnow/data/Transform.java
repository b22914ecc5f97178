package dev.minnow.data;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Shape;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A per-sample transform of a CHW float image, applied by the {@link DataLoader}. Random
 * transforms draw only from the SplittableRandom they are given, so a seed fixes the result.
 * Typical training chain for CIFAR-10: {@code randomCrop(32, 4).andThen(horizontalFlip(0.5)).andThen(normalize(n))}
 * (crop padding is zero in [0,1] pixel space, as in torchvision when cropping before normalizing).
 */
public interface Transform {
    /** Shape of the output for an input sample of shape {@code in} (CHW). */
    default Shape outputShape(Shape in) {
        return in;
    }

    /**
     * Reads one CHW sample of shape {@code in} at src[srcOffset] and writes the result, of
     * outputShape(in), to dst[dstOffset]. The two regions must not overlap.
     */
    void apply(float[] src, int srcOffset, Shape in, float[] dst, int dstOffset, SplittableRandom random);

    /** This transform, then next. */
    default Transform andThen(Transform next) {
        return compose(this, next);
    }

    static Transform compose(Transform... steps) {
        return new Compose(List.of(steps));
    }

    static Transform normalize(Normalization n) {
        return new Normalize(n);
    }

    /** Zero-pads each side by padding, then takes a random size x size window. */
    static Transform randomCrop(int size, int padding) {
        return new RandomCrop(size, padding);
    }

    /** Mirrors the image left-right with probability p. */
    static Transform horizontalFlip(double p) {
        return new HorizontalFlip(p);
    }

    /** (x - mean[c]) / std[c]. */
    record Normalize(Normalization normalization) implements Transform {
        @Override
        public void apply(float[] src, int srcOffset, Shape in, float[] dst, int dstOffset, SplittableRandom random) {
            if (in.dim(0) != normalization.channels()) {
                throw new InvalidInputException("normalization for " + normalization.channels()
                        + " channels applied to samples of shape " + in);
            }
            int n = in.sizeInt();
            System.arraycopy(src, srcOffset, dst, dstOffset, n);
            normalization.applyInPlace(dst, dstOffset, in.dim(1) * in.dim(2));
        }
    }

    record RandomCrop(int size, int padding) implements Transform {
        public RandomCrop {
            if (size < 1 || padding < 0) {
                throw new InvalidInputException("random crop needs size >= 1 and padding >= 0, got size " + size
                        + ", padding " + padding);
            }
        }

        @Override
        public Shape outputShape(Shape in) {
            if (size > in.dim(1) + 2 * padding || size > in.dim(2) + 2 * padding) {
                throw new InvalidInputException("random crop of " + size + "x" + size + " does not fit samples "
                        + in + " padded by " + padding);
            }
            return Shape.of(in.dim(0), size, size);
        }

        @Override
        public void apply(float[] src, int srcOffset, Shape in, float[] dst, int dstOffset, SplittableRandom random) {
            outputShape(in);
            int c = in.dim(0);
            int h = in.dim(1);
            int w = in.dim(2);
            // window top-left in padded coordinates, then shifted to input coordinates
            int top = random.nextInt(h + 2 * padding - size + 1) - padding;
            int left = random.nextInt(w + 2 * padding - size + 1) - padding;
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < size; y++) {
                    int sy = top + y;
                    int d = dstOffset + (ch * size + y) * size;
                    for (int x = 0; x < size; x++) {
                        int sx = left + x;
                        dst[d + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[srcOffset + (ch * h + sy) * w + sx] : 0f;
                    }
                }
            }
        }
    }

    record HorizontalFlip(double p) implements Transform {
        public HorizontalFlip {
            if (!(p >= 0 && p <= 1)) {
                throw new InvalidInputException("flip probability must be in [0,1], got " + p);
            }
        }

        @Override
        public void apply(float[] src, int srcOffset, Shape in, float[] dst, int dstOffset, SplittableRandom random) {
            int n = in.sizeInt();
            boolean flip = random.nextDouble() < p;
            if (!flip) {
                System.arraycopy(src, srcOffset, dst, dstOffset, n);
                return;
            }
            int w = in.dim(2);
            for (int row = 0; row < n / w; row++) {
                int base = row * w;
                for (int x = 0; x < w; x++) {
                    dst[dstOffset + base + x] = src[srcOffset + base + w - 1 - x];
                }
            }
        }
    }

    /** Steps in order, through scratch arrays (a CHW sample is small, so allocation is cheap). */
    record Compose(List<Transform> steps) implements Transform {
        public Compose {
            steps = List.copyOf(steps);
        }

        @Override
        public Shape outputShape(Shape in) {
            Shape s = in;
            for (Transform t : steps) {
                s = t.outputShape(s);
            }
            return s;
        }

        @Override
        public void apply(float[] src, int srcOffset, Shape in, float[] dst, int dstOffset, SplittableRandom random) {
            if (steps.isEmpty()) {
                System.arraycopy(src, srcOffset, dst, dstOffset, in.sizeInt());
                return;
            }
            float[] cur = src;
            int curOff = srcOffset;
            Shape shape = in;
            for (int i = 0; i < steps.size(); i++) {
                Transform t = steps.get(i);
                Shape next = t.outputShape(shape);
                boolean last = i == steps.size() - 1;
                float[] out = last ? dst : new float[next.sizeInt()];
                int outOff = last ? dstOffset : 0;
                t.apply(cur, curOff, shape, out, outOff, random);
                cur = out;
                curOff = outOff;
                shape = next;
            }
        }
    }
}
