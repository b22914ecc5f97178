package dev.minnow.cli;

import dev.minnow.data.Batch;
import dev.minnow.data.DataLoader;
import dev.minnow.data.Dataset;
import dev.minnow.train.Model;
import dev.minnow.tensor.Tensor;

/**
 * Runs a model and a reference model (for example the float model a quantized one was made from)
 * on the same preprocessed images and counts how often their top-1 classes agree. Labels are not
 * needed, so a model whose classes differ from the dataset's (an ImageNet model on CIFAR-10 images
 * scaled up) can be compared; its top-1 against the labels is then left out (null).
 */
record Agreement(int samples, int agreeing, Double top1, Double top1Reference) {
    double rate() {
        return (double) agreeing / samples;
    }

    static Agreement measure(Dataset data, int batchSize, Model model, Model reference, Progress bar) {
        int agreeing = 0;
        int hits = 0;
        int referenceHits = 0;
        int done = 0;
        int width = -1;
        try (DataLoader loader = DataLoader.builder(data).batchSize(batchSize).build();
             DataLoader.Epoch epoch = loader.epoch(0)) {
            for (Batch b : epoch) {
                Tensor z = model.predict(b.images());
                Tensor r = reference.predict(b.images());
                int c = z.size() / z.shape().dim(0);
                if (r.size() / r.shape().dim(0) != c) {
                    throw new dev.minnow.errors.ShapeException("the model outputs " + c + " classes but the reference "
                            + (r.size() / r.shape().dim(0)) + "; compare models with the same outputs");
                }
                width = c;
                float[] zf = z.floats();
                float[] rf = r.floats();
                for (int i = 0; i < b.count(); i++) {
                    int a = argmax(zf, i * c, c);
                    int ar = argmax(rf, i * c, c);
                    agreeing += a == ar ? 1 : 0;
                    hits += a == b.labels()[i] ? 1 : 0;
                    referenceHits += ar == b.labels()[i] ? 1 : 0;
                }
                done += b.count();
                bar.update(done, null);
            }
        }
        boolean labelled = width == data.numClasses();
        return new Agreement(done, agreeing, labelled ? (double) hits / done : null,
                labelled ? (double) referenceHits / done : null);
    }

    /** Ties go to the lower class index, as in {@link dev.minnow.train.Metrics}. */
    static int argmax(float[] z, int off, int c) {
        return dev.minnow.train.Metrics.argmax(z, off, c);
    }
}
