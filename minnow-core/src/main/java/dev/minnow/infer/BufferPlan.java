package dev.minnow.infer;

import dev.minnow.graph.TensorType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where step outputs live. Made once per executor from what each step reads and writes and what
 * its kernel declares: the step after which each value is dead, and for kernels that may write
 * over an input ({@link dev.minnow.infer.spi.Kernel#overwritesInput}) the input whose storage
 * takes the result. Per set of input shapes, {@link #buffers} then places the outputs of kernels
 * that plan them ({@link dev.minnow.infer.spi.Kernel#plansOutput}) greedily in step order: a free
 * buffer of the exact size or a new one; a buffer is free again after the last reader of its
 * value (and of any view of it, or result written over it) has run. Graph outputs get none.
 */
final class BufferPlan {
    /** Ops whose output may share storage with their first input: they extend its buffer's life. */
    private static final Set<String> VIEW_OPS = Set.of("Reshape", "Flatten", "Identity", "Squeeze", "Unsqueeze",
            "Dropout");

    /** What the plan needs to know of one step. */
    record StepIo(List<String> reads, List<String> writes, String opType, boolean plansOutput,
                  boolean overwritesInput, boolean freshOutputs) {
    }

    /** Placed buffers for one set of input shapes; buffers[i] is null for steps without one. */
    record Buffers(float[][] buffers, int distinct, long bytes) {
    }

    private final List<StepIo> steps;
    private final Set<String> outputs;
    private final Map<String, Integer> lastUse = new HashMap<>();
    private final int[] inPlace;

    BufferPlan(List<StepIo> steps, Set<String> graphOutputs) {
        this.steps = List.copyOf(steps);
        this.outputs = Set.copyOf(graphOutputs);
        for (int i = 0; i < steps.size(); i++) {
            for (String in : steps.get(i).reads()) {
                if (!in.isEmpty()) {
                    lastUse.put(in, i);
                }
            }
        }
        // only storage kernels allocated may be overwritten: an op's forward may hand out a cached
        // tensor (Constant) or a view of a graph input
        Set<String> owned = new HashSet<>();
        for (StepIo s : steps) {
            if (s.freshOutputs()) {
                owned.addAll(s.writes());
            }
        }
        owned.removeAll(outputs);
        inPlace = new int[steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            inPlace[i] = -1;
            StepIo s = steps.get(i);
            if (!s.overwritesInput() || !owned.contains(s.writes().get(0))) {
                continue;
            }
            for (int k = 0; k < s.reads().size(); k++) {
                String in = s.reads().get(k);
                if (owned.contains(in) && lastUse.get(in) == i) {
                    inPlace[i] = k;
                    break;
                }
            }
        }
    }

    /** The input of step i whose storage may take its output, or -1. */
    int inPlace(int i) {
        return inPlace[i];
    }

    /** Per step, the values it reads last (graph outputs excepted: the caller gets them). */
    String[][] deaths() {
        String[][] d = new String[steps.size()][];
        for (int i = 0; i < steps.size(); i++) {
            List<String> l = new ArrayList<>();
            for (String in : steps.get(i).reads()) {
                if (!in.isEmpty() && lastUse.get(in) == i && !outputs.contains(in) && !l.contains(in)) {
                    l.add(in);
                }
            }
            d[i] = l.toArray(String[]::new);
        }
        return d;
    }

    /** Places the planned outputs for these value types (shape inference for one set of feeds). */
    Buffers buffers(Map<String, TensorType> types) {
        int n = steps.size();
        int[] end = new int[n];
        java.util.Arrays.fill(end, -1);
        // lifetime of each planned output, extended through views and results written over it
        Map<String, Integer> root = new HashMap<>();
        for (int i = 0; i < n; i++) {
            StepIo st = steps.get(i);
            if (st.plansOutput()) {
                root.put(st.writes().get(0), i);
            } else if (inPlace[i] >= 0 && root.containsKey(st.reads().get(inPlace[i]))) {
                root.put(st.writes().get(0), root.get(st.reads().get(inPlace[i])));
            } else if (VIEW_OPS.contains(st.opType()) && !st.reads().isEmpty() && root.containsKey(st.reads().get(0))) {
                Integer owner = root.get(st.reads().get(0));
                st.writes().forEach(o -> root.put(o, owner));
            }
        }
        boolean[] pinned = new boolean[n];
        root.forEach((value, owner) -> {
            end[owner] = Math.max(end[owner], lastUse.getOrDefault(value, owner));
            if (outputs.contains(value)) {
                pinned[owner] = true;
            }
        });
        float[][] buffers = new float[n][];
        Map<Integer, List<float[]>> free = new HashMap<>();
        List<Integer> active = new ArrayList<>();
        int distinct = 0;
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            final int now = i;
            active.removeIf(owner -> {
                if (end[owner] < now) {
                    free.computeIfAbsent(buffers[owner].length, k -> new ArrayList<>()).add(buffers[owner]);
                    return true;
                }
                return false;
            });
            StepIo st = steps.get(i);
            if (!st.plansOutput() || pinned[i]) {
                continue;
            }
            int size = types.get(st.writes().get(0)).shape().sizeInt();
            List<float[]> pool = free.get(size);
            if (pool != null && !pool.isEmpty()) {
                buffers[i] = pool.remove(pool.size() - 1);
            } else {
                buffers[i] = new float[size];
                distinct++;
                bytes += 4L * size;
            }
            active.add(i);
        }
        return new Buffers(buffers, distinct, bytes);
    }
}
