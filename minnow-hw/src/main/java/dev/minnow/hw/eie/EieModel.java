package dev.minnow.hw.eie;

/**
 * Cycle model of EIE's sparse matrix x sparse vector product y = W a for one fully connected
 * layer, W of {@code rows x cols} (row-major, as y_i = sum_j W_ij a_j).
 *
 * <p>What is counted, following the paper's Section III: the central unit broadcasts each
 * non-zero activation a_j; PE k then walks its slice of column j (the rows i = k mod pes) in
 * CSC order, one entry per cycle. An entry is a non-zero weight or a padding zero, inserted
 * when a run of zeros is longer than a relative index can skip (15 for 4 bits). Each PE has an
 * activation FIFO of depth {@code fifoDepth}: a PE may run up to that many columns ahead of
 * the slowest one, which is what smooths the load imbalance. Cycles are from the simulation of
 * those queues: the broadcast of column t waits until every PE has room for it.
 *
 * <p>Not counted: the pipeline fill, the pointer reads (they overlap in the paper's design), the
 * leading-non-zero detection tree's latency, and the layer-to-layer switch.
 */
public final class EieModel {
    private EieModel() {
    }

    /** One layer's result. {@code entries} counts stored CSC entries, padding zeros included. */
    public record Result(long cycles, long idealCycles, long entries, long paddingZeros, long nonZeroWeights,
                         int nonZeroActivations, long macsDense, long macsDone, double loadEfficiency,
                         double seconds, double energyJoules, long storageBits) {
    }

    /**
     * @param weights    row-major rows x cols; zeros are pruned weights
     * @param activation which inputs are non-zero (length cols); null means all
     */
    public static Result run(EieConfig cfg, float[] weights, int rows, int cols, boolean[] activation) {
        if ((long) rows * cols != weights.length) {
            throw new IllegalArgumentException("weights has " + weights.length + " values, not " + rows + " x " + cols);
        }
        int pes = cfg.pes();
        int maxGap = cfg.maxGap();
        // work[k][j]: entries PE k walks for column j
        int[][] work = new int[pes][cols];
        long entries = 0;
        long padding = 0;
        long nnz = 0;
        for (int k = 0; k < pes; k++) {
            for (int j = 0; j < cols; j++) {
                int run = 0;
                int e = 0;
                for (int i = k; i < rows; i += pes) {
                    if (weights[i * cols + j] != 0) {
                        e++;
                        nnz++;
                        run = 0;
                    } else if (++run > maxGap) {
                        e++;
                        padding++;
                        run = 0;
                    }
                }
                work[k][j] = e;
                entries += e;
            }
        }
        int activeCols = 0;
        long done = 0;
        long[] perPe = new long[pes];
        // finish[k][t]: cycle when PE k finishes its t-th broadcast column; kept as a ring of fifoDepth
        long[][] finish = new long[pes][cfg.fifoDepth()];
        long broadcast = 0;
        for (int j = 0; j < cols; j++) {
            if (activation != null && !activation[j]) {
                continue;
            }
            int slot = activeCols % cfg.fifoDepth();
            // the column enters every FIFO once each PE has finished the column fifoDepth places back
            long enter = broadcast;
            if (activeCols >= cfg.fifoDepth()) {
                for (int k = 0; k < pes; k++) {
                    enter = Math.max(enter, finish[k][slot]);
                }
            }
            int prevSlot = (activeCols + cfg.fifoDepth() - 1) % cfg.fifoDepth();
            for (int k = 0; k < pes; k++) {
                long start = Math.max(enter, activeCols == 0 ? 0 : finish[k][prevSlot]);
                finish[k][slot] = start + work[k][j];
                perPe[k] += work[k][j];
                done += work[k][j];
            }
            broadcast = enter + 1; // one broadcast per cycle at most
            activeCols++;
        }
        long cycles = 0;
        long busiest = 0;
        if (activeCols > 0) {
            int last = (activeCols - 1) % cfg.fifoDepth();
            for (int k = 0; k < pes; k++) {
                cycles = Math.max(cycles, finish[k][last]);
                busiest = Math.max(busiest, perPe[k]);
            }
        }
        long ideal = Math.ceilDiv(done, pes);
        double seconds = cycles / (cfg.clockMhz() * 1e6);
        double energy = seconds * pes * cfg.pePowerMw() * 1e-3;
        long storage = entries * (cfg.indexBits() + cfg.weightBits());
        return new Result(cycles, ideal, entries, padding, nnz, activeCols, (long) rows * cols, done,
                cycles == 0 ? 1.0 : (double) ideal / cycles, seconds, energy, storage);
    }
}
