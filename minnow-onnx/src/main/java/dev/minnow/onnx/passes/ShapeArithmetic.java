package dev.minnow.onnx.passes;

import dev.minnow.graph.Node;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Follows the shape arithmetic exporters write (Shape -> Gather/Slice -> Unsqueeze -> Concat ->
 * Reshape) when some dims are unknown. Each int64 value is tracked as a list of entries that are
 * either known numbers or "dim k of value v". A value whose entries are all known is a constant;
 * a Reshape whose target copies unknown dims of its own input in place gets the target with 0
 * there ("copy the input's dim"), so {@code x.view(x.size(0), -1)} works with a symbolic batch.
 */
final class ShapeArithmetic {
    /** One entry: a known number (src null), or the unknown dim {@code axis} of value {@code src}. */
    record Dim(long value, String src, int axis) {
        boolean known() {
            return src == null;
        }
    }

    /** A tracked int64 value: its entries, and whether it is a scalar (one entry, rank 0). */
    record Sym(List<Dim> dims, boolean scalar) {
        boolean allKnown() {
            return dims.stream().allMatch(Dim::known);
        }

        Tensor toTensor() {
            long[] v = dims.stream().mapToLong(Dim::value).toArray();
            return scalar ? Tensor.ofLongs(Shape.scalar(), v[0]) : Tensor.ofLongs(Shape.of(v.length), v);
        }
    }

    private ShapeArithmetic() {
    }

    /** The tracked value node n produces, or null when n is not shape arithmetic over tracked values. */
    static Sym evaluate(Node n, Map<String, TensorType> types, Map<String, Tensor> known, Map<String, Sym> syms) {
        if (!n.domain().isEmpty()) {
            return null;
        }
        switch (n.opType()) {
            case "Shape" -> {
                TensorType t = types.get(n.input(0));
                if (t == null) {
                    return null;
                }
                int[] dims = t.shape().dims();
                int r = dims.length;
                int start = clamp(n.attributes().getInt("start", 0), r);
                int end = clamp(n.attributes().getInt("end", r), r);
                List<Dim> v = new ArrayList<>();
                for (int i = start; i < end; i++) {
                    v.add(dims[i] >= 0 ? new Dim(dims[i], null, -1) : new Dim(-1, n.input(0), i));
                }
                return new Sym(v, false);
            }
            case "Gather" -> {
                Sym data = syms.get(n.input(0));
                Tensor idx = known.get(n.input(1));
                if (data == null || data.scalar() || idx == null || idx.shape().rank() > 1
                        || n.attributes().getInt("axis", 0) != 0) {
                    return null;
                }
                List<Dim> v = new ArrayList<>();
                for (int i = 0; i < idx.size(); i++) {
                    long k = idx.getLong(i);
                    k = k < 0 ? k + data.dims().size() : k;
                    if (k < 0 || k >= data.dims().size()) {
                        return null;
                    }
                    v.add(data.dims().get((int) k));
                }
                return new Sym(v, idx.shape().rank() == 0);
            }
            case "Slice" -> {
                Sym data = syms.get(n.input(0));
                Tensor starts = known.get(n.input(1));
                Tensor ends = known.get(n.input(2));
                if (data == null || data.scalar() || starts == null || ends == null || starts.size() != 1 || ends.size() != 1
                        || (!n.input(3).isEmpty() && !is(known.get(n.input(3)), 0))
                        || (!n.input(4).isEmpty() && !is(known.get(n.input(4)), 1))) {
                    return null;
                }
                int size = data.dims().size();
                int s = clamp(starts.getLong(0), size);
                int e = clamp(ends.getLong(0), size);
                return new Sym(new ArrayList<>(data.dims().subList(s, Math.max(s, e))), false);
            }
            case "Unsqueeze" -> {
                Sym data = syms.get(n.input(0));
                Tensor axes = known.get(n.input(1));
                if (data == null || !data.scalar() || axes == null || axes.size() != 1 || (axes.getLong(0) != 0 && axes.getLong(0) != -1)) {
                    return null;
                }
                return new Sym(data.dims(), false);
            }
            case "Squeeze" -> {
                Sym data = syms.get(n.input(0));
                if (data == null || data.scalar() || data.dims().size() != 1) {
                    return null;
                }
                return new Sym(data.dims(), true);
            }
            case "Concat" -> {
                List<Dim> all = new ArrayList<>();
                boolean anyTracked = false;
                for (String s : n.inputs()) {
                    Sym p = syms.get(s);
                    Tensor k = known.get(s);
                    if (p != null && !p.scalar()) {
                        anyTracked = true;
                        all.addAll(p.dims());
                    } else if (k != null && k.shape().rank() == 1) {
                        for (int i = 0; i < k.size(); i++) {
                            all.add(new Dim(k.getLong(i), null, -1));
                        }
                    } else {
                        return null;
                    }
                }
                return anyTracked ? new Sym(all, false) : null;
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * A constant target for a Reshape whose shape input is tracked but not fully known: unknown
     * entries that are the same dim of the Reshape's own input become 0 (copy). Null otherwise.
     */
    static Tensor reshapeTarget(Node reshape, Map<String, Sym> syms) {
        Sym target = syms.get(reshape.input(1));
        if (target == null || target.scalar() || reshape.attributes().getInt("allowzero", 0) != 0) {
            return null;
        }
        long[] v = new long[target.dims().size()];
        for (int i = 0; i < v.length; i++) {
            Dim d = target.dims().get(i);
            if (d.known()) {
                v[i] = d.value();
            } else if (d.src().equals(reshape.input(0)) && d.axis() == i) {
                v[i] = 0;
            } else {
                return null;
            }
        }
        return Tensor.ofLongs(Shape.of(v.length), v);
    }

    private static boolean is(Tensor t, long value) {
        return t != null && t.size() == 1 && t.getLong(0) == value;
    }

    private static int clamp(long a, int rank) {
        long v = a < 0 ? a + rank : a;
        return (int) Math.max(0, Math.min(rank, v));
    }
}
