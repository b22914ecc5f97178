package dev.minnow.hw.systolic;

import dev.minnow.errors.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * A rows x cols systolic array of MAC units, mapping convolutions the way SCALE-Sim v3 does:
 * the layer becomes an im2col GEMM (ifmap matrix M x K, filter matrix K x N, ofmap M x N), the
 * dataflow picks which two dimensions lie across the array (S_r along the rows, S_c along the
 * columns) and which one streams in time (T):
 * <pre>
 *   dataflow   S_r  S_c  T     stays in the PEs
 *   ws         K    N    M     weights
 *   os         M    N    K     output sums
 *   is         K    M    N     input pixels
 * </pre>
 * An operand larger than the array is cut into ceil(S_r / rows) x ceil(S_c / cols) folds, run one
 * after another with no overlap. This reproduces the cycle and SRAM counts of SCALE-Sim's
 * stall-free (CALC) mode from closed forms of its demand matrices, without building them; the
 * derivation is in docs/HARDWARE.md. DRAM traffic: {@link DramReplay}.
 */
public record SystolicArray(int rows, int cols, Dataflow dataflow) {
    public SystolicArray {
        if (rows < 1 || cols < 1) {
            throw new InvalidInputException("a systolic array needs at least one PE per side, got " + rows + " x " + cols);
        }
        if (dataflow == null) {
            throw new InvalidInputException("a systolic array needs a dataflow (ws, os or is)");
        }
    }

    /** Every layer in order. */
    public List<SystolicLayerCost> run(List<ConvLayer> layers) {
        List<SystolicLayerCost> out = new ArrayList<>(layers.size());
        for (ConvLayer l : layers) {
            out.add(run(l));
        }
        return out;
    }

    public SystolicLayerCost run(ConvLayer layer) {
        long m = layer.ofmapPixels();
        long n = layer.numFilters();
        long k = layer.windowSize();
        long spatialRows;
        long spatialCols;
        long time;
        switch (dataflow) {
            case WEIGHT_STATIONARY -> {
                spatialRows = k;
                spatialCols = n;
                time = m;
            }
            case OUTPUT_STATIONARY -> {
                spatialRows = m;
                spatialCols = n;
                time = k;
            }
            case INPUT_STATIONARY -> {
                spatialRows = k;
                spatialCols = m;
                time = n;
            }
            default -> throw new IllegalStateException("unknown dataflow " + dataflow);
        }
        long r = rows;
        long c = cols;
        long rowFolds = Math.ceilDiv(spatialRows, r);
        long colFolds = Math.ceilDiv(spatialCols, c);
        long folds = rowFolds * colFolds;

        // Demand-matrix lines per fold. WS and IS first preload the stationary operand (rows
        // cycles) and skew it in (rows more); OS needs no preload. All then stream T lines, pay
        // the pipeline skew across rows and columns, and drain before the next fold starts.
        long linesPerFold = dataflow == Dataflow.OUTPUT_STATIONARY ? r + c + time - 2 : 2 * r + c + time - 2;
        // SCALE-Sim reports the cycle index of the last line, one less than the line count.
        long cycles = folds * linesPerFold - 1;
        // The per-fold utilization SCALE-Sim averages divides by a fold length taken from one
        // operand's block: for WS and IS the unskewed stationary block, to which it adds the column
        // skew again; for OS the output block, which comes out equal to the demand lines.
        long foldCyclesForUtil = dataflow == Dataflow.OUTPUT_STATIONARY ? linesPerFold : linesPerFold + c - 1;

        // Folds in SCALE-Sim's order (columns outer, rows inner), summed left to right as Python's
        // sum() does, so the means agree to the last bit.
        double mappingSum = 0;
        double utilSum = 0;
        for (long fc = 0; fc < colFolds; fc++) {
            long colsUsed = Math.min(c, spatialCols - fc * c);
            for (long fr = 0; fr < rowFolds; fr++) {
                long rowsUsed = Math.min(r, spatialRows - fr * r);
                long macUnitsUsed = rowsUsed * colsUsed;
                mappingSum += (double) macUnitsUsed / (double) (r * c);
                utilSum += (double) (macUnitsUsed * time) / (double) (r * c * foldCyclesForUtil);
            }
        }

        long ifmapReads;
        long filterReads;
        long ofmapWrites;
        switch (dataflow) {
            case WEIGHT_STATIONARY -> {
                // inputs stream again for each column fold; each weight is loaded once
                ifmapReads = colFolds * m * k;
                filterReads = k * n;
                ofmapWrites = rowFolds * m * n;
            }
            case OUTPUT_STATIONARY -> {
                ifmapReads = colFolds * m * k;
                filterReads = rowFolds * k * n;
                // SCALE-Sim also adds the fold's rows + columns to the ofmap writes (the shape of its
                // flipped output block); kept to stay comparable, flagged in docs/HARDWARE.md
                ofmapWrites = m * n + folds * (r + c);
            }
            case INPUT_STATIONARY -> {
                ifmapReads = m * k;
                filterReads = colFolds * k * n;
                ofmapWrites = rowFolds * m * n;
            }
            default -> throw new IllegalStateException("unknown dataflow " + dataflow);
        }
        return new SystolicLayerCost(layer.name(), dataflow, cycles, layer.macs(), r * c, mappingSum / folds,
                utilSum / folds, ifmapReads, filterReads, ofmapWrites);
    }
}
