package dev.minnow.compress.prune;

import dev.minnow.compress.recipe.JobRunner;
import dev.minnow.compress.recipe.ModelMeasures;
import dev.minnow.data.Dataset;
import dev.minnow.data.Normalization;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.tensor.Shape;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * A {@link Sensitivity} sweep run by a {@link JobRunner}: locally or on a cluster, with the same
 * numbers. What every job reads (the model's bytes and the held-out samples) travels once as the
 * shared input; each worker parses it once, and a job is only (layer, sparsity).
 */
public final class SensitivitySweep {
    private SensitivitySweep() {
    }

    public enum Granularity {
        WEIGHT, CHANNEL;

        public static Granularity parse(String s) {
            return switch (s) {
                case "weight" -> WEIGHT;
                case "channel" -> CHANNEL;
                default -> throw new InvalidInputException("unknown --granularity '" + s + "'; use weight or channel");
            };
        }
    }

    /** Turns the shipped model bytes back into a graph (ONNX's reader, given by the caller). */
    @FunctionalInterface
    public interface GraphDecoder extends Serializable {
        Graph decode(byte[] bytes);
    }

    /** Held-out samples in memory (CHW floats in [0,1]) with their labels and normalization. */
    public record HeldOut(int[] sampleDims, int numClasses, float[] pixels, int[] labels, float[] mean, float[] std)
            implements Serializable {
        public static HeldOut of(Dataset d, Normalization n) {
            int per = d.sampleShape().sizeInt();
            float[] px = new float[Math.multiplyExact(per, d.size())];
            int[] labels = new int[d.size()];
            for (int i = 0; i < d.size(); i++) {
                d.copySample(i, px, i * per);
                labels[i] = d.label(i);
            }
            return new HeldOut(d.sampleShape().dims(), d.numClasses(), px, labels, n.mean(), n.std());
        }

        public Normalization normalization() {
            return new Normalization(mean, std);
        }

        public Dataset dataset() {
            Shape shape = Shape.of(sampleDims);
            int per = shape.sizeInt();
            return new Dataset() {
                public int size() {
                    return labels.length;
                }

                public Shape sampleShape() {
                    return shape;
                }

                public int numClasses() {
                    return numClasses;
                }

                public void copySample(int index, float[] dst, int dstOffset) {
                    System.arraycopy(pixels, index * per, dst, dstOffset, per);
                }

                public int label(int index) {
                    return labels[index];
                }
            };
        }
    }

    /** Everything a worker needs, shipped once. method is the channel importance (ignored for weights). */
    public record Input(byte[] model, GraphDecoder decoder, Granularity granularity, String method, HeldOut data)
            implements Serializable {
    }

    /** One job: the dense model (layer -1) or one layer pruned alone to a sparsity. */
    public record Point(int layer, String name, double sparsity) implements Serializable {
    }

    private record Context(Graph graph, List<Sensitivity.Layer> layers, Dataset data, Normalization normalization) {
    }

    public static List<Sensitivity.Layer> layers(Graph g, Granularity granularity, String method) {
        return switch (granularity) {
            case WEIGHT -> Sensitivity.weightLayers(g);
            case CHANNEL -> Sensitivity.channelLayers(g, ChannelPruner.importance(method));
        };
    }

    /** The jobs of a sweep: the dense model first, then each layer at each sparsity (layer-major). */
    public static List<Point> points(List<Sensitivity.Layer> layers, double[] sparsities) {
        List<Point> r = new ArrayList<>();
        r.add(new Point(-1, "", 0));
        for (int l = 0; l < layers.size(); l++) {
            for (double s : sparsities) {
                r.add(new Point(l, layers.get(l).name(), s));
            }
        }
        return r;
    }

    /**
     * Measures the curves with the runner; done hears how many of the
     * {@code layers * sparsities + 1} measurements have finished.
     */
    public static List<Sensitivity.Curve> run(JobRunner runner, Input in, double[] sparsities, IntConsumer done) {
        Sensitivity.checkSparsities(sparsities);
        List<Sensitivity.Layer> layers = layers(in.decoder().decode(in.model()), in.granularity(), in.method());
        List<Double> acc = runner.run(in, points(layers, sparsities), new Measure(), done);
        double[] results = new double[acc.size() - 1];
        for (int i = 0; i < results.length; i++) {
            results[i] = acc.get(i + 1);
        }
        return Sensitivity.curves(layers, sparsities, acc.getFirst(), results);
    }

    /** A named class, not a lambda, so a cluster ships it without capturing the caller. */
    private static final class Measure implements JobRunner.SharedWork<Input, Context, Point, Double> {
        @Override
        public Context open(Input in) {
            Graph g = in.decoder().decode(in.model());
            return new Context(g, layers(g, in.granularity(), in.method()), in.data().dataset(), in.data().normalization());
        }

        @Override
        public Double apply(Context c, Point p) {
            Graph g = c.graph();
            if (p.layer() >= 0) {
                Sensitivity.Layer l = c.layers().get(p.layer());
                if (!l.name().equals(p.name())) {
                    throw new IllegalStateException("the worker's layer " + p.layer() + " is " + l.name() + ", not "
                            + p.name() + ": the model was decoded differently");
                }
                g = l.prune().apply(g, p.sparsity());
            }
            return ModelMeasures.top1(g, c.data(), c.normalization());
        }
    }
}
