package dev.minnow.data;

import dev.minnow.errors.DataException;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Batches of a dataset, one epoch at a time, assembled on a background thread that keeps
 * {@code prefetch} batches ready. Shuffling and random transforms depend only on (seed, epoch,
 * position in the epoch), so epochs differ from each other and a run with the same seed repeats.
 * <pre>
 * try (DataLoader loader = DataLoader.builder(split.train()).batchSize(128).shuffle(true).seed(1)
 *         .transform(Transform.normalize(split.normalization())).build();
 *      DataLoader.Epoch epoch = loader.epoch(0)) {
 *     for (Batch b : epoch) { ... }
 * }
 * </pre>
 * An exception thrown while loading surfaces from {@link Epoch#next()} on the consumer thread.
 */
public final class DataLoader implements AutoCloseable {
    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final Transform transform;
    private final int prefetch;
    private final Shape outShape;
    private Epoch current;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.transform = b.transform;
        this.prefetch = b.prefetch;
        this.outShape = transform == null ? dataset.sampleShape() : transform.outputShape(dataset.sampleShape());
    }

    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    /** Shape of one sample after the transforms (CHW). */
    public Shape sampleShape() {
        return outShape;
    }

    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Samples delivered per epoch (all of them unless drop-last cuts the final partial batch). */
    public int samplesPerEpoch() {
        return dropLast ? batchesPerEpoch() * batchSize : dataset.size();
    }

    /** Starts loading epoch {@code epoch} (0-based) on a background thread; closes the previous epoch. */
    public synchronized Epoch epoch(int epoch) {
        if (current != null) {
            current.close();
        }
        current = new Epoch(epoch);
        return current;
    }

    /** Sample order of an epoch: identity, or a seeded Fisher-Yates shuffle. */
    int[] order(int epoch) {
        int n = dataset.size();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        if (shuffle) {
            SplittableRandom r = new SplittableRandom(mix(seed, epoch));
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
        }
        return idx;
    }

    /** Batch number b of an epoch, given its order. Runs on the loader thread. */
    Batch assemble(int epoch, int[] order, int b) {
        int from = b * batchSize;
        int count = Math.min(batchSize, order.length - from);
        int inSize = dataset.sampleShape().sizeInt();
        int outSize = outShape.sizeInt();
        float[] images = new float[count * outSize];
        int[] labels = new int[count];
        float[] scratch = transform == null ? null : new float[inSize];
        long epochSeed = mix(mix(seed, epoch), 0x5EED);
        for (int i = 0; i < count; i++) {
            int index = order[from + i];
            labels[i] = dataset.label(index);
            if (transform == null) {
                dataset.copySample(index, images, i * outSize);
            } else {
                dataset.copySample(index, scratch, 0);
                SplittableRandom r = new SplittableRandom(mix(epochSeed, from + i));
                transform.apply(scratch, 0, dataset.sampleShape(), images, i * outSize, r);
            }
        }
        Shape shape = Shape.of(count, outShape.dim(0), outShape.dim(1), outShape.dim(2));
        return new Batch(Tensor.wrap(DType.FLOAT32, shape, images), labels, count);
    }

    /** Stafford's mix13 of a + golden-ratio step * (b + 1): distinct (a, b) give unrelated seeds. */
    static long mix(long a, long b) {
        long z = a + 0x9E3779B97F4A7C15L * (b + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public synchronized void close() {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    /** One epoch's batches; iterate once, then close (closing early stops the loader thread). */
    public final class Epoch implements Iterator<Batch>, Iterable<Batch>, AutoCloseable {
        private static final Object END = new Object();

        private record Failure(Throwable error) {
        }

        private final BlockingQueue<Object> queue;
        private final Thread thread;
        private final int batches;
        private int delivered;
        private Object peeked;
        private volatile boolean closed;

        private Epoch(int epoch) {
            this.batches = batchesPerEpoch();
            this.queue = new ArrayBlockingQueue<>(prefetch + 1);
            this.thread = new Thread(() -> produce(epoch), "minnow-data-loader-epoch-" + epoch);
            thread.setDaemon(true);
            thread.start();
        }

        private void produce(int epoch) {
            try {
                int[] order = order(epoch);
                for (int b = 0; b < batches && !closed; b++) {
                    queue.put(assemble(epoch, order, b));
                }
                queue.put(END);
            } catch (InterruptedException e) {
                // closed by the consumer
            } catch (Throwable t) {
                try {
                    queue.put(new Failure(t));
                } catch (InterruptedException ignored) {
                    // closed by the consumer meanwhile: nobody is left to tell
                }
            }
        }

        public int batches() {
            return batches;
        }

        @Override
        public boolean hasNext() {
            if (closed) {
                return false;
            }
            if (peeked == null) {
                try {
                    peeked = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DataException("interrupted while waiting for the next batch", e);
                }
            }
            if (peeked instanceof Failure f) {
                peeked = END;
                closed = true;
                switch (f.error()) {
                    case RuntimeException re -> throw re;
                    case Error er -> throw er;
                    default -> throw new DataException("loading a batch failed: " + f.error(), f.error());
                }
            }
            return peeked != END;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("epoch finished after " + delivered + " batches");
            }
            Batch b = (Batch) peeked;
            peeked = null;
            delivered++;
            return b;
        }

        @Override
        public Iterator<Batch> iterator() {
            return this;
        }

        /** Stops the loader thread and waits for it to end. */
        @Override
        public void close() {
            closed = true;
            thread.interrupt();
            queue.clear();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** True once the loader thread has ended (for tests and diagnostics). */
        boolean loaderFinished() {
            return !thread.isAlive();
        }
    }

    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 64;
        private boolean shuffle;
        private long seed;
        private boolean dropLast;
        private Transform transform;
        private int prefetch = 2;

        private Builder(Dataset dataset) {
            this.dataset = dataset;
        }

        public Builder batchSize(int n) {
            if (n < 1) {
                throw new InvalidInputException("batch size must be at least 1, got " + n);
            }
            this.batchSize = n;
            return this;
        }

        public Builder shuffle(boolean on) {
            this.shuffle = on;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder dropLast(boolean on) {
            this.dropLast = on;
            return this;
        }

        /** Per-sample transform (null for none); chain several with {@link Transform#andThen}. */
        public Builder transform(Transform t) {
            this.transform = t;
            return this;
        }

        /** Batches kept ready ahead of the consumer (at least 1). */
        public Builder prefetch(int batches) {
            if (batches < 1) {
                throw new InvalidInputException("prefetch must be at least 1 batch, got " + batches);
            }
            this.prefetch = batches;
            return this;
        }

        public DataLoader build() {
            if (dataset.sampleShape().rank() != 3) {
                throw new InvalidInputException("samples must be CHW (rank 3), got " + dataset.sampleShape());
            }
            return new DataLoader(this);
        }
    }
}
