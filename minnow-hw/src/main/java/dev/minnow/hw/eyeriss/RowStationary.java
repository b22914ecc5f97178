package dev.minnow.hw.eyeriss;

import dev.minnow.errors.InvalidInputException;

/**
 * Analytical model of the row-stationary dataflow on an Eyeriss-like array, for one
 * convolution layer at the configured batch. docs/HARDWARE.md states the assumptions.
 *
 * <p>Mapping (JSSC 2017 Section III, Fig. 6): a PE does a 1-D convolution of one filter row
 * with one ifmap row. A logical PE set is {@code R x E}: filter rows down, output rows across.
 * A set wider than the array is cut into strips of at most {@code peCols} columns; sets shorter
 * than the array are stacked {@code floor(peRows / R)} high, strips of one set first, then
 * copies working on further input channels (their psums add up vertically in the array).
 * Inside a PE, {@code q} channels share the ifmap scratchpad ({@code q S <= ifmap words}) and
 * {@code p} filters the filter and psum scratchpads ({@code p q S <= filter words},
 * {@code p <= psum words}).
 *
 * <p>Traffic, in words, per level: every MAC reads its two operands and reads and writes its
 * psum in the RF; the array carries filter rows to each PE of their row, ifmap rows to each PE
 * of their diagonal (once per block of p filters) and psums up the set; the global buffer sends
 * each ifmap row once per block of p filters, and reads and writes psums once per pass over
 * the channels the array reduces; DRAM tiles the buffer: per strip of output rows, n images and
 * Mb filters' psums stay in the buffer while the channels stream through, so ifmaps are fetched
 * once per filter block, filters once per strip and image block, and outputs written once. The
 * (n, Mb) with the least DRAM traffic is chosen, as Eyeriss's mapper optimizes per layer.
 */
public final class RowStationary {
    private RowStationary() {
    }

    /** A layer's mapping and its access counts (words) at each level. */
    public record Result(String name, long macs, int activePes, int strips, int setsStacked, int channelsPerPe,
                         int filtersPerPe, int imagesPerTile, int filtersPerTile, long rfAccesses, long arrayAccesses,
                         long bufferAccesses, long dramIfmapReads, long dramFilterReads, long dramOfmapWrites,
                         long cycles) {
        public long dramAccesses() {
            return dramIfmapReads + dramFilterReads + dramOfmapWrites;
        }

        /** Normalized energy (units of one MAC): {compute, RF, array, buffer, DRAM}. */
        public double[] energyBreakdown(EnergyCosts e) {
            return new double[] {macs * e.mac(), rfAccesses * e.rf(), arrayAccesses * e.array(),
                    bufferAccesses * e.buffer(), dramAccesses() * e.dram()};
        }

        public double energy(EnergyCosts e) {
            double s = 0;
            for (double v : energyBreakdown(e)) {
                s += v;
            }
            return s;
        }

        public double utilization(int pes) {
            return cycles == 0 ? 0 : (double) macs / ((double) cycles * pes);
        }
    }

    public static Result run(EyerissConfig cfg, ConvShape l) {
        int n = cfg.batch();
        int c = l.channels();
        int m = l.filters();
        int r = l.filterHeight();
        int s = l.filterWidth();
        int e = l.outHeight();
        int f = l.outWidth();
        int u = l.stride();
        int w = l.width();
        int g = l.groups();
        if (s > cfg.filterSpadWords() || s > cfg.ifmapSpadWords()) {
            throw new InvalidInputException("layer " + l.name() + ": a filter row of " + s + " words does not fit the"
                    + " PE scratchpads (filter " + cfg.filterSpadWords() + ", ifmap " + cfg.ifmapSpadWords() + " words)");
        }
        // filter rows beyond the array's height are processed in row folds whose psums meet in the buffer
        int rowFolds = Math.ceilDiv(r, cfg.peRows());
        int rSet = Math.ceilDiv(r, rowFolds);
        int strips = Math.ceilDiv(e, cfg.peCols());
        int stacked = Math.max(1, cfg.peRows() / rSet);
        int activePes;
        int channelCopies;
        if (strips >= stacked) {
            int cols = 0;
            for (int i = 0; i < stacked; i++) {
                cols += stripWidth(e, cfg.peCols(), i);
            }
            activePes = rSet * cols;
            channelCopies = 1;
        } else {
            channelCopies = Math.min(c, stacked / strips);
            activePes = rSet * e * channelCopies;
        }
        int q = Math.min(c, Math.max(1, cfg.ifmapSpadWords() / s));
        int p = Math.min(m, Math.min(cfg.psumSpadWords(), Math.max(1, cfg.filterSpadWords() / (q * s))));
        int cPerPass = Math.min(c, q * channelCopies);
        long passesC = (long) Math.ceilDiv(c, cPerPass) * rowFolds;
        long filterBlocks = Math.ceilDiv(m, p);

        long macs = (long) n * l.macs();
        long outs = (long) g * n * m * e * f;
        long inRowsAll = 0;
        int inRowsMax = 0;
        for (int i = 0; i < strips; i++) {
            int rows = Math.min(l.height(), (stripWidth(e, cfg.peCols(), i) - 1) * u + r);
            inRowsAll += rows;
            inRowsMax = Math.max(inRowsMax, rows);
        }
        long rf = 4 * macs;
        long arrayFilter = (long) g * m * c * r * s * e * n;
        long arrayIfmap = (long) g * n * c * r * e * w * filterBlocks;
        long arrayPsum = outs * passesC * Math.max(0, (long) rSet * Math.min(channelCopies, c) - 1);
        long bufIfmap = (long) g * n * c * inRowsAll * w * filterBlocks;
        long bufPsum = outs * (2 * passesC - 1);

        // DRAM: choose images per tile and filters per tile that fit the buffer with one pass's ifmap rows
        long words = cfg.bufferWords();
        long best = Long.MAX_VALUE;
        long[] pick = null;
        int widest = stripWidth(e, cfg.peCols(), 0);
        for (int nt = 1; nt <= n; nt++) {
            long ifmapTile = (long) nt * cPerPass * inRowsMax * w;
            long psumPerFilter = (long) nt * widest * f;
            if (ifmapTile + psumPerFilter > words) {
                break;
            }
            long mt = Math.min(m, (words - ifmapTile) / psumPerFilter);
            long ifmapDram = (long) g * n * c * inRowsAll * w * Math.ceilDiv(m, mt);
            long filterDram = (long) g * m * c * r * s * strips * Math.ceilDiv(n, nt);
            long total = ifmapDram + filterDram + outs;
            if (total < best) {
                best = total;
                pick = new long[] {nt, mt, ifmapDram, filterDram};
            }
        }
        if (pick == null) {
            throw new InvalidInputException("layer " + l.name() + ": the " + cfg.bufferKb() + " KB global buffer is too"
                    + " small for one tile (" + ((long) cPerPass * inRowsMax * w + (long) widest * f)
                    + " words: one pass's ifmap rows and one filter's psums); give a larger buffer_kb");
        }
        long bufFilter = pick[3];
        long cycles = Math.ceilDiv(macs, activePes);
        return new Result(l.name(), macs, activePes, strips, Math.min(stacked, Math.max(strips, channelCopies)), q, p,
                (int) pick[0], (int) pick[1], rf, arrayFilter + arrayIfmap + arrayPsum, bufIfmap + bufPsum + bufFilter,
                pick[2], pick[3], outs, cycles);
    }

    /** Width of strip i when E output rows are cut into strips of at most cols. */
    private static int stripWidth(int e, int cols, int i) {
        return Math.min(cols, e - i * cols);
    }
}
