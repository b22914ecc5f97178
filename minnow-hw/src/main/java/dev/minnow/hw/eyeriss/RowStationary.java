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
 * copies of the set (below).
 * Inside a PE, {@code q} channels share the ifmap scratchpad ({@code q S <= ifmap words}) and
 * {@code p} filters the filter and psum scratchpads ({@code p q S <= filter words},
 * {@code p <= psum words}).
 *
 * <p>Stacked copies of a short set are split between {@code r} copies on further channels (their
 * psums add up vertically in the array) and {@code t} copies on further filters (they share each
 * ifmap row, multicast), the r and t of the ISCA 2016 mapping notation. Every split is tried.
 *
 * <p>Traffic, in words, per level: every MAC reads its two operands and reads and writes its
 * psum in the RF; the array carries filter rows to each PE of their row, ifmap rows to each PE
 * of their diagonal (once per block of p filters) and psums up the channel copies; the global
 * buffer sends each ifmap row once per block of {@code p t} filters, reads and writes psums once
 * per pass over the {@code q r} channels the array reduces, and passes filters through. DRAM
 * tiles the buffer per strip of output rows and block of n images, in one of two orders: psums
 * of Mb filters stay while the channels stream through (ifmaps fetched once per filter block),
 * or every channel's ifmap rows stay while the filters stream through in blocks (ifmaps fetched
 * once); either way filters are fetched once per strip and image block and outputs written once.
 * Ifmaps and ofmaps cross the DRAM interface run-length coded ({@link RunLengthCode}) at the
 * given zero fractions; the buffer holds them decoded. Of all splits and tilings the one with the
 * fewest DRAM words is kept, then the least normalized energy among those: DRAM is 200x a MAC and
 * the chip's 64-bit off-chip link its bottleneck, and for AlexNet CONV3-5 the energies of the
 * candidate splits differ by under 2% under these counts, so energy alone would pick by noise.
 */
public final class RowStationary {
    private RowStationary() {
    }

    /**
     * A layer's mapping and its access counts (words) at each level. The global buffer's accesses
     * are split by operand: ifmap rows read out to the array, filters passed through to it, psums
     * read back for further accumulation and psums (the last pass's are the ofmap) written.
     * DRAM ifmap reads and ofmap writes are the coded words moved; {@code dramRawWords} is the same
     * traffic uncoded.
     */
    public record Result(String name, long macs, int activePes, int strips, int setsStacked, int channelsPerPe,
                         int filtersPerPe, int channelSets, int filterSets, int imagesPerTile, int filtersPerTile,
                         boolean ifmapsResident, long rfAccesses, long arrayAccesses, long bufferIfmapReads,
                         long bufferFilterReads, long bufferPsumReads, long bufferPsumWrites,
                         long dramIfmapReads, long dramFilterReads, long dramOfmapWrites, long dramRawWords,
                         long cycles) {
        public long bufferAccesses() {
            return bufferIfmapReads + bufferFilterReads + bufferPsumReads + bufferPsumWrites;
        }

        public long dramAccesses() {
            return dramIfmapReads + dramFilterReads + dramOfmapWrites;
        }

        /** Normalized energy (units of one MAC): {compute, RF, array, buffer, DRAM}. */
        public double[] energyBreakdown(EnergyCosts e) {
            return new double[] {macs * e.mac(), rfAccesses * e.rf(), arrayAccesses * e.array(),
                    bufferAccesses() * e.buffer(), dramAccesses() * e.dram()};
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

    /** The layer with every activation moved raw (no zeros assumed). */
    public static Result run(EyerissConfig cfg, ConvShape l) {
        return run(cfg, l, ActivationZeros.NONE);
    }

    public static Result run(EyerissConfig cfg, ConvShape l, ActivationZeros zeros) {
        return run(cfg, l, zeros, 0);
    }

    /**
     * As {@link #run(EyerissConfig, ConvShape, ActivationZeros)} with the channel copies r fixed
     * (t then as many filter copies as fit), to evaluate a given mapping such as the paper's;
     * channelSets 0 searches all. Throws when the layer cannot stack that many copies.
     */
    public static Result run(EyerissConfig cfg, ConvShape l, ActivationZeros zeros, int channelSets) {
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
        int copies;
        int setPes;
        if (strips >= stacked) {
            int cols = 0;
            for (int i = 0; i < stacked; i++) {
                cols += stripWidth(e, cfg.peCols(), i);
            }
            setPes = rSet * cols;
            copies = 1;
        } else {
            copies = stacked / strips;
            setPes = rSet * e;
        }
        int q = Math.min(c, Math.max(1, cfg.ifmapSpadWords() / s));
        int p = Math.min(m, Math.min(cfg.psumSpadWords(), Math.max(1, cfg.filterSpadWords() / (q * s))));

        long macs = (long) n * l.macs();
        long outs = (long) g * n * m * e * f;
        long inRowsAll = 0;
        int inRowsMax = 0;
        for (int i = 0; i < strips; i++) {
            int rows = Math.min(l.height(), (stripWidth(e, cfg.peCols(), i) - 1) * u + r);
            inRowsAll += rows;
            inRowsMax = Math.max(inRowsMax, rows);
        }
        long ifmapOnce = (long) g * n * c * inRowsAll * w;
        long filtersOnce = (long) g * m * c * r * s;
        long ofmapCoded = RunLengthCode.codedWords(outs, zeros.ofmap());
        long rf = 4 * macs;
        long words = cfg.bufferWords();
        int widest = stripWidth(e, cfg.peCols(), 0);
        EnergyCosts cost = EnergyCosts.eyeriss();
        Result best = null;
        double bestEnergy = Double.MAX_VALUE;
        long smallestTile = Long.MAX_VALUE;
        if (channelSets > Math.min(c, copies)) {
            throw new InvalidInputException("layer " + l.name() + ": " + channelSets + " channel copies do not fit; at most "
                    + Math.min(c, copies));
        }
        for (int chSets = Math.max(1, channelSets); chSets <= (channelSets > 0 ? channelSets : Math.min(c, copies)); chSets++) {
            int fSets = Math.min(m, copies / chSets);
            int cPerPass = Math.min(c, q * chSets);
            long passesC = (long) Math.ceilDiv(c, cPerPass) * rowFolds;
            long filterBlocks = Math.ceilDiv(m, (long) p * fSets);
            long arrayFilter = (long) g * m * c * r * s * e * n;
            long arrayIfmap = (long) g * n * c * r * e * w * filterBlocks * fSets;
            long arrayPsum = outs * passesC * Math.max(0, (long) rSet * chSets - 1);
            long bufIfmap = ifmapOnce * filterBlocks;
            // psums written once per pass over the channels, read back for every pass but the first
            long bufPsumWrites = outs * passesC;
            long bufPsumReads = outs * (passesC - 1);
            for (boolean resident : new boolean[] {false, true}) {
                int tileChannels = resident ? c : cPerPass;
                for (int nt = 1; nt <= n; nt++) {
                    long ifmapTile = (long) nt * tileChannels * inRowsMax * w;
                    long psumPerFilter = (long) nt * widest * f;
                    smallestTile = Math.min(smallestTile, ifmapTile + psumPerFilter);
                    if (ifmapTile + psumPerFilter > words) {
                        break;
                    }
                    long mt = Math.min(m, (words - ifmapTile) / psumPerFilter);
                    long ifmapRaw = ifmapOnce * (resident ? 1 : Math.ceilDiv(m, mt));
                    long ifmapDram = RunLengthCode.codedWords(ifmapRaw, zeros.ifmap());
                    long filterDram = filtersOnce * strips * Math.ceilDiv(n, nt);
                    Result x = new Result(l.name(), macs, setPes * chSets * fSets, strips,
                            Math.min(stacked, Math.max(strips, chSets * fSets)), q, p, chSets, fSets, nt, (int) mt, resident,
                            rf, arrayFilter + arrayIfmap + arrayPsum, bufIfmap, filterDram, bufPsumReads, bufPsumWrites, ifmapDram,
                            filterDram, ofmapCoded, ifmapRaw + filterDram + outs,
                            Math.ceilDiv(macs, setPes * chSets * fSets));
                    double en = x.energy(cost);
                    if (best == null || x.dramAccesses() < best.dramAccesses()
                            || x.dramAccesses() == best.dramAccesses() && en < bestEnergy) {
                        bestEnergy = en;
                        best = x;
                    }
                }
            }
        }
        if (best == null) {
            throw new InvalidInputException("layer " + l.name() + ": the " + cfg.bufferKb() + " KB global buffer is too"
                    + " small for one tile (" + smallestTile + " words: one pass's ifmap rows and one filter's psums);"
                    + " give a larger buffer_kb");
        }
        return best;
    }

    /** Width of strip i when E output rows are cut into strips of at most cols. */
    private static int stripWidth(int e, int cols, int i) {
        return Math.min(cols, e - i * cols);
    }
}
