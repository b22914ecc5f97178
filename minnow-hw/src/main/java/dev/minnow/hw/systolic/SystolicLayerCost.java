package dev.minnow.hw.systolic;

/**
 * One layer on a systolic array, counted as SCALE-Sim v3 counts it in its stall-free mode.
 *
 * @param computeCycles cycles from the first operand entering the array to the last output
 *                      leaving it (SCALE-Sim's "Total Cycles"; no DRAM prefetch, no stalls)
 * @param macs M x N x K multiply-accumulates
 * @param peCount rows x columns of the array
 * @param mappingEfficiency mean over folds of the fraction of PEs a fold maps work to
 * @param computeUtilization mean over folds of MACs / (PEs x the fold's cycles)
 * @param ifmapSramReads words the array reads from the ifmap SRAM, overhanging-window slots included
 * @param filterSramReads words read from the filter SRAM
 * @param ofmapSramWrites words written to the ofmap SRAM (for output stationary this includes
 *                        SCALE-Sim's extra rows + columns per fold; see docs/HARDWARE.md)
 */
public record SystolicLayerCost(String name, Dataflow dataflow, long computeCycles, long macs, long peCount,
                                double mappingEfficiency, double computeUtilization, long ifmapSramReads,
                                long filterSramReads, long ofmapSramWrites) {
    /** MACs over PEs x cycles: the fraction of the array's capacity the layer uses. */
    public double utilization() {
        return (double) macs / ((double) computeCycles * peCount);
    }

    /** {@link #utilization()} in percent, computed in SCALE-Sim's order so the digits match its report. */
    public double utilizationPercent() {
        return (double) (macs * 100) / (double) (computeCycles * peCount);
    }

    /** {@link #mappingEfficiency()} in percent, as SCALE-Sim reports it. */
    public double mappingEfficiencyPercent() {
        return mappingEfficiency * 100;
    }

    /** {@link #computeUtilization()} in percent, as SCALE-Sim reports it. */
    public double computeUtilizationPercent() {
        return computeUtilization * 100;
    }
}
