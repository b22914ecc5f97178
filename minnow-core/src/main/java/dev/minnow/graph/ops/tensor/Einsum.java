package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Einsum(equation): a general contraction such as "bij,bjk->bik", with repeated labels
 * (diagonals), "..." for broadcast dims and the implicit output (labels seen once, sorted).
 * A direct loop over every combination of label values: simple and exact, meant for small
 * tensors (MatMul and Gemm are the fast paths). Backward runs the same loop, accumulating
 * the product of the other inputs into each input's gradient. MACs: index combinations x (inputs - 1).
 */
final class Einsum extends AbstractOp {
    private final String equation;

    Einsum(Attributes a) {
        super("Einsum", a);
        equation = a.getString("equation", null);
        if (equation == null) {
            throw shapeError("attribute equation is required");
        }
    }

    /** The equation resolved for concrete input ranks: labels per input and output, and each label's size. */
    private record Plan(List<int[]> inLabels, int[] outLabels, int[] sizes) {
    }

    private Plan plan(List<Shape> shapes) {
        String eq = equation.replace(" ", "");
        int arrow = eq.indexOf("->");
        String lhs = arrow < 0 ? eq : eq.substring(0, arrow);
        String[] terms = lhs.split(",", -1);
        if (terms.length != shapes.size()) {
            throw shapeError("equation " + equation + " has " + terms.length + " operands but the node has " + shapes.size() + " inputs");
        }
        // labels: letters map to themselves; ellipsis dims get codes 1000 + k (aligned at the right)
        int ellipsisRank = 0;
        for (int i = 0; i < terms.length; i++) {
            if (terms[i].contains("...")) {
                ellipsisRank = Math.max(ellipsisRank, shapes.get(i).rank() - (terms[i].length() - 3));
            }
        }
        Map<Integer, Integer> size = new LinkedHashMap<>();
        Map<Integer, Integer> count = new LinkedHashMap<>();
        List<int[]> in = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            int[] labels = labels(terms[i], shapes.get(i).rank(), ellipsisRank);
            if (labels.length != shapes.get(i).rank()) {
                throw shapeError("operand " + i + " '" + terms[i] + "' does not match input rank " + shapes.get(i).rank());
            }
            for (int d = 0; d < labels.length; d++) {
                int n = shapes.get(i).dim(d);
                Integer prev = size.get(labels[d]);
                if (prev != null && prev != n && prev != 1 && n != 1) {
                    throw shapeError("label dims disagree: " + prev + " vs " + n + " in " + equation);
                }
                size.put(labels[d], prev == null || prev == 1 ? n : prev);
                count.merge(labels[d], 1, Integer::sum);
            }
            in.add(labels);
        }
        int[] out;
        if (arrow >= 0) {
            out = labels(eq.substring(arrow + 2), -1, ellipsisRank);
        } else {
            List<Integer> o = new ArrayList<>();
            for (int k = 0; k < ellipsisRank; k++) {
                o.add(1000 + k);
            }
            count.entrySet().stream().filter(e -> e.getValue() == 1 && e.getKey() < 1000).map(Map.Entry::getKey).sorted()
                    .forEach(o::add);
            out = o.stream().mapToInt(Integer::intValue).toArray();
        }
        List<Integer> all = new ArrayList<>(size.keySet());
        int[] sizes = new int[all.size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = size.get(all.get(i));
        }
        // re-express labels as positions in 'all'
        List<int[]> inPos = new ArrayList<>();
        for (int[] l : in) {
            inPos.add(positions(l, all));
        }
        return new Plan(inPos, positions(out, all), sizes);
    }

    private int[] positions(int[] labels, List<Integer> all) {
        int[] p = new int[labels.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = all.indexOf(labels[i]);
            if (p[i] < 0) {
                throw shapeError("output label " + (char) labels[i] + " does not appear in the inputs of " + equation);
            }
        }
        return p;
    }

    private static int[] labels(String term, int rank, int ellipsisRank) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < term.length(); i++) {
            if (term.startsWith("...", i)) {
                int k = rank < 0 ? ellipsisRank : rank - (term.length() - 3);
                for (int j = ellipsisRank - k; j < ellipsisRank; j++) {
                    l.add(1000 + j);
                }
                i += 2;
            } else {
                l.add((int) term.charAt(i));
            }
        }
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Shape outShape(Plan p) {
        int[] d = new int[p.outLabels().length];
        for (int i = 0; i < d.length; i++) {
            d[i] = p.sizes()[p.outLabels()[i]];
        }
        return Shape.of(d);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        List<Shape> shapes = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            shapes.add(required(inputs, i).shape());
        }
        return List.of(new TensorType(inputs.get(0).dtype(), outShape(plan(shapes))));
    }

    /** Visits every combination of label values: offsets into each input and the output. */
    private interface Visitor {
        void visit(int[] inOffsets, int outOffset);
    }

    private static void each(Plan p, Tensor[] inputs, Visitor v) {
        int labels = p.sizes().length;
        int[][] strides = new int[inputs.length][labels];
        for (int i = 0; i < inputs.length; i++) {
            int[] st = inputs[i].shape().strides();
            int[] l = p.inLabels().get(i);
            for (int d = 0; d < l.length; d++) {
                if (inputs[i].shape().dim(d) != 1) {
                    strides[i][l[d]] += st[d];
                }
            }
        }
        int[] outStrides = new int[labels];
        int[] ost = outShape(p).strides();
        for (int d = 0; d < p.outLabels().length; d++) {
            outStrides[p.outLabels()[d]] += ost[d];
        }
        long total = 1;
        for (int s : p.sizes()) {
            total *= s;
        }
        int[] idx = new int[labels];
        int[] off = new int[inputs.length];
        int outOff = 0;
        for (long c = 0; c < total; c++) {
            v.visit(off, outOff);
            for (int d = labels - 1; d >= 0; d--) {
                idx[d]++;
                for (int i = 0; i < off.length; i++) {
                    off[i] += strides[i][d];
                }
                outOff += outStrides[d];
                if (idx[d] < p.sizes()[d]) {
                    break;
                }
                for (int i = 0; i < off.length; i++) {
                    off[i] -= strides[i][d] * idx[d];
                }
                outOff -= outStrides[d] * idx[d];
                idx[d] = 0;
            }
        }
    }

    private Plan plan(Tensor[] inputs) {
        List<Shape> shapes = new ArrayList<>();
        for (Tensor t : inputs) {
            shapes.add(t.shape());
        }
        return plan(shapes);
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Plan p = plan(inputs);
        Shape os = outShape(p);
        double[][] v = new double[inputs.length][];
        for (int i = 0; i < v.length; i++) {
            v[i] = Elems.doubles(inputs[i]);
        }
        double[] out = new double[os.sizeInt()];
        each(p, inputs, (offs, o) -> {
            double prod = 1;
            for (int i = 0; i < offs.length; i++) {
                prod *= v[i][offs[i]];
            }
            out[o] += prod;
        });
        return new Tensor[] {Elems.fromDoubles(inputs[0].dtype(), os, out)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] r = new Tensor[inputs.length];
        if (gradOutputs[0] == null || inputs[0].dtype() != DType.FLOAT32) {
            return r;
        }
        Plan p = plan(inputs);
        double[] g = Elems.doubles(gradOutputs[0]);
        double[][] v = new double[inputs.length][];
        double[][] gi = new double[inputs.length][];
        for (int i = 0; i < v.length; i++) {
            v[i] = Elems.doubles(inputs[i]);
            gi[i] = new double[v[i].length];
        }
        each(p, inputs, (offs, o) -> {
            for (int k = 0; k < offs.length; k++) {
                double prod = g[o];
                for (int i = 0; i < offs.length; i++) {
                    if (i != k) {
                        prod *= v[i][offs[i]];
                    }
                }
                gi[k][offs[k]] += prod;
            }
        });
        for (int k = 0; k < r.length; k++) {
            r[k] = Elems.fromDoubles(DType.FLOAT32, inputs[k].shape(), gi[k]);
        }
        return r;
    }

    @Override
    public long macs(List<TensorType> inputs, List<TensorType> outputs) {
        List<Shape> shapes = new ArrayList<>();
        for (TensorType t : inputs) {
            if (t == null || !t.shape().isStatic()) {
                return 0;
            }
            shapes.add(t.shape());
        }
        long total = 1;
        for (int s : plan(shapes).sizes()) {
            total *= s;
        }
        // one multiply per extra operand for each index combination; one operand alone only moves or sums
        return total * (inputs.size() - 1);
    }
}
