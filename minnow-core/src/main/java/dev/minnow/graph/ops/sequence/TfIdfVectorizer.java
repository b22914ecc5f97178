package dev.minnow.graph.ops.sequence;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * TfIdfVectorizer(X [C] or [B, C] integers): counts the n-grams of pool_int64s (grouped by
 * size through ngram_counts, numbered in pool order, mapped to output columns by
 * ngram_indexes) in each row, for sizes min_gram_length..max_gram_length, with up to
 * max_skip_count items skipped between the members of an n-gram (unigrams counted once).
 * mode TF gives counts, IDF the weight (or 1) where the count is non-zero, TFIDF weight
 * times count. String pools are not supported. Not differentiable.
 */
final class TfIdfVectorizer extends AbstractOp {
    /** A trie node: the id (1-based, 0: no n-gram ends here) and the next items. */
    private static final class Node {
        int id;
        final Map<Long, Node> next = new HashMap<>();
    }

    private final int minGram;
    private final int maxGram;
    private final int maxSkip;
    private final String mode;
    private final long[] ngramIndexes;
    private final double[] weights;
    private final int outputSize;
    private final Node root = new Node();

    TfIdfVectorizer(Attributes a) {
        super("TfIdfVectorizer", a);
        if (a.has("pool_strings")) {
            throw unsupported("pool_strings", "(given)", "pool_int64s");
        }
        minGram = (int) a.getInt("min_gram_length", 1);
        maxGram = (int) a.getInt("max_gram_length", 1);
        maxSkip = (int) a.getInt("max_skip_count", 0);
        mode = a.getString("mode", "TF");
        if (!List.of("TF", "IDF", "TFIDF").contains(mode)) {
            throw unsupported("mode", mode, "TF, IDF, TFIDF");
        }
        long[] counts = a.getInts("ngram_counts", new long[0]);
        ngramIndexes = a.getInts("ngram_indexes", new long[0]);
        weights = a.getFloats("weights", null);
        long[] pool = a.getInts("pool_int64s", new long[0]);
        long max = -1;
        for (long v : ngramIndexes) {
            max = Math.max(max, v);
        }
        outputSize = (int) (max + 1);
        int id = 1;
        for (int i = 0; i < counts.length; i++) {
            int size = i + 1;
            int start = (int) counts[i];
            int end = i + 1 < counts.length ? (int) counts[i + 1] : pool.length;
            for (int g = start; g + size <= end; g += size) {
                if (size >= minGram && size <= maxGram) {
                    Node n = root;
                    for (int j = 0; j < size; j++) {
                        n = n.next.computeIfAbsent(pool[g + j], k -> new Node());
                    }
                    n.id = id;
                }
                id++;
            }
        }
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        Shape x = required(inputs, 0).shape();
        return List.of(new TensorType(DType.FLOAT32, x.rank() == 2 ? Shape.of(x.dim(0), outputSize) : Shape.of(outputSize)));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        Shape s = x.shape();
        int rows = s.rank() == 2 ? s.dim(0) : 1;
        int cols = s.rank() == 0 ? 1 : s.dim(-1);
        long[] v = Elems.longs(x);
        long[] freq = new long[rows * outputSize];
        for (int r = 0; r < rows; r++) {
            int startSize = minGram;
            for (int skip = 1; skip <= maxSkip + 1; skip++) {
                for (int start = 0; start < cols; start++) {
                    if (start + skip * (startSize - 1) >= cols) {
                        break;
                    }
                    Node n = root;
                    int item = start;
                    for (int size = 1; size <= maxGram && item < cols; size++, item += skip) {
                        n = n.next.get(v[r * cols + item]);
                        if (n == null) {
                            break;
                        }
                        if (size >= startSize && n.id != 0) {
                            freq[r * outputSize + (int) ngramIndexes[n.id - 1]]++;
                        }
                    }
                }
                if (startSize == 1) {
                    startSize = 2; // unigrams do not depend on the skip distance: count them once
                    if (startSize > maxGram) {
                        break;
                    }
                }
            }
        }
        float[] y = new float[freq.length];
        for (int i = 0; i < y.length; i++) {
            double w = weights == null || weights.length == 0 ? 1 : weights[i % outputSize];
            y[i] = (float) switch (mode) {
                case "IDF" -> freq[i] > 0 ? w : 0;
                case "TFIDF" -> w * freq[i];
                default -> freq[i];
            };
        }
        return new Tensor[] {Tensor.of(inferTypes(List.of(new TensorType(x.dtype(), s)), null).get(0).shape(), y)};
    }
}
