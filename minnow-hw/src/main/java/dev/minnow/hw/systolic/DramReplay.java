package dev.minnow.hw.systolic;

import dev.minnow.errors.InvalidInputException;
import java.util.Arrays;

/**
 * DRAM traffic of one layer as SCALE-Sim v3 counts it in its stall-free (CALC) mode, by
 * replaying the array's SRAM demand line by line, in SCALE-Sim's order, through models of its
 * double-buffered scratchpads:
 * <ul>
 *   <li>ifmap and filter: SCALE-Sim's bandwidth-estimating read buffer. Words go into "sets" of
 *       SRAM/100 words; a word is fetched from DRAM unless it is in the set being filled or in
 *       one of the completed sets of the current half of the buffer (50 sets); after every 50
 *       completed sets that window starts empty again. Reads never stall.</li>
 *   <li>ofmap: its write buffer. Outputs pack into lines of {@code cols} words; once more than
 *       half the buffer is used, the lines written so far are closed (a partly filled line is
 *       closed as it is) and half a buffer of lines is drained, one line per cycle. A drained
 *       chunk counts all its words except the empty slots of its last line, so a partly filled
 *       line inside a chunk counts as full: SCALE-Sim's ofmap DRAM writes can exceed the SRAM
 *       writes by a few words. A write that finds the buffer full waits for the drain: a stall.</li>
 * </ul>
 * Only addresses matter, not timing, for the reads; the writes' timing decides the stalls.
 *
 * @param totalCycles SCALE-Sim's "Total Cycles" including write stalls
 */
public record DramReplay(long ifmapDramReads, long filterDramReads, long ofmapDramWrites, long stallCycles,
                         long totalCycles) {

    /** Replays {@code layer} on {@code array} with the given SRAM sizes in KB (one-byte words, as SCALE-Sim). */
    public static DramReplay of(SystolicArray array, ConvLayer layer, int ifmapSramKb, int filterSramKb, int ofmapSramKb) {
        if (ifmapSramKb < 1 || filterSramKb < 1 || ofmapSramKb < 1) {
            throw new InvalidInputException("SRAM sizes must be at least 1 KB, got " + ifmapSramKb + "/" + filterSramKb
                    + "/" + ofmapSramKb);
        }
        return new Replay(array, layer, ifmapSramKb * 1024L, filterSramKb * 1024L, ofmapSramKb * 1024L).run();
    }

    /** Walks every fold's demand lines in SCALE-Sim's order (column folds outer), feeding the three buffers. */
    private static final class Replay {
        private final int rows;
        private final int cols;
        private final Dataflow dataflow;
        private final ConvLayer layer;
        private final long m;
        private final long n;
        private final long k;
        private final ReadBuffer ifmap;
        private final ReadBuffer filter;
        private final WriteBuffer ofmap;

        Replay(SystolicArray array, ConvLayer layer, long ifmapWords, long filterWords, long ofmapWords) {
            this.rows = array.rows();
            this.cols = array.cols();
            this.dataflow = array.dataflow();
            this.layer = layer;
            this.m = layer.ofmapPixels();
            this.n = layer.numFilters();
            this.k = layer.windowSize();
            long ifmapSize = (long) layer.ifmapHeight() * layer.ifmapWidth() * layer.channels();
            this.ifmap = new ReadBuffer(ifmapWords, ifmapSize);
            this.filter = new ReadBuffer(filterWords, k * n);
            this.ofmap = new WriteBuffer(ofmapWords, cols);
        }

        DramReplay run() {
            long spatialRows = dataflow == Dataflow.OUTPUT_STATIONARY ? m : k;
            long spatialCols = dataflow == Dataflow.INPUT_STATIONARY ? m : n;
            long time = switch (dataflow) {
                case WEIGHT_STATIONARY -> m;
                case OUTPUT_STATIONARY -> k;
                case INPUT_STATIONARY -> n;
            };
            long rowFolds = Math.ceilDiv(spatialRows, rows);
            long colFolds = Math.ceilDiv(spatialCols, cols);
            long lines = dataflow == Dataflow.OUTPUT_STATIONARY ? rows + cols + time - 2 : 2L * rows + cols + time - 2;
            long globalLine = 0;
            long stalls = 0;
            long lastCycle = 0;
            long maxCycle = 0;
            for (long fc = 0; fc < colFolds; fc++) {
                int colsUsed = (int) Math.min(cols, spatialCols - fc * cols);
                for (long fr = 0; fr < rowFolds; fr++) {
                    int rowsUsed = (int) Math.min(rows, spatialRows - fr * rows);
                    for (long line = 0; line < lines; line++, globalLine++) {
                        demandLine(fc, fr, rowsUsed, colsUsed, time, line);
                        long cycle = globalLine + stalls;
                        int outputs = ofmapWords(rowsUsed, colsUsed, time, line);
                        long served = ofmap.write(outputs, cycle);
                        stalls += served - cycle;
                        lastCycle = served;
                        maxCycle = Math.max(maxCycle, served);
                    }
                }
            }
            ofmap.drainAll(lastCycle);
            return new DramReplay(ifmap.dramReads, filter.dramReads, ofmap.dramWrites, stalls, maxCycle);
        }

        /** Sends one line's ifmap and filter requests, PE slot by PE slot, in SCALE-Sim's column order. */
        private void demandLine(long fc, long fr, int rowsUsed, int colsUsed, long time, long line) {
            switch (dataflow) {
                case WEIGHT_STATIONARY -> {
                    // ifmap: preload gap of `rows` lines, then T lines skewed across the rows
                    for (int c = 0; c < rowsUsed; c++) {
                        long j = line - c - rows;
                        if (j >= 0 && j < time) {
                            ifmap.read(ifmapAddress(j, fr * rows + c));
                        }
                    }
                    // filter: the weight block, bottom row first, in the first `rows` lines
                    if (line < rows) {
                        long rr = rows - 1 - line;
                        if (rr < rowsUsed) {
                            for (int c = 0; c < colsUsed; c++) {
                                filter.read(filterAddress(fr * rows + rr, fc * cols + c));
                            }
                        }
                    }
                }
                case OUTPUT_STATIONARY -> {
                    for (int c = 0; c < rowsUsed; c++) {
                        long j = line - c;
                        if (j >= 0 && j < time) {
                            ifmap.read(ifmapAddress(fr * rows + c, j));
                        }
                    }
                    for (int c = 0; c < colsUsed; c++) {
                        long j = line - c;
                        if (j >= 0 && j < time) {
                            filter.read(filterAddress(j, fc * cols + c));
                        }
                    }
                }
                case INPUT_STATIONARY -> {
                    // ifmap: the stationary input block, bottom row first, in the first `rows` lines
                    if (line < rows) {
                        long rr = rows - 1 - line;
                        if (rr < rowsUsed) {
                            for (int c = 0; c < colsUsed; c++) {
                                ifmap.read(ifmapAddress(fc * cols + c, fr * rows + rr));
                            }
                        }
                    }
                    for (int c = 0; c < rowsUsed; c++) {
                        long j = line - c - rows;
                        if (j >= 0 && j < time) {
                            filter.read(filterAddress(fr * rows + c, j));
                        }
                    }
                }
            }
        }

        /** Outputs written on one line: skewed columns whose output row is in range. */
        private int ofmapWords(int rowsUsed, int colsUsed, long time, long line) {
            int count = 0;
            if (dataflow == Dataflow.OUTPUT_STATIONARY) {
                // the output block leaves after T - 1 lines, bottom row first, skewed across columns
                for (int c = 0; c < colsUsed; c++) {
                    long j = line - c - (time - 1);
                    if (j >= 0 && j < rows && rows - 1 - j < rowsUsed) {
                        count++;
                    }
                }
            } else {
                for (int c = 0; c < colsUsed; c++) {
                    long j = line - c - (2L * rows - 1);
                    if (j >= 0 && j < time) {
                        count++;
                    }
                }
            }
            return count;
        }

        /** Ifmap word (HWC order) of output pixel {@code pixel}, window position {@code w}; -1 when the window hangs over the edge. */
        private long ifmapAddress(long pixel, long w) {
            int ow = layer.ofmapWidth();
            long oy = pixel / ow;
            long ox = pixel % ow;
            long perRow = (long) layer.filterWidth() * layer.channels();
            long fy = w / perRow;
            long fx = (w % perRow) / layer.channels();
            long ch = w % layer.channels();
            long iy = oy * layer.strideHeight() + fy;
            long ix = ox * layer.strideWidth() + fx;
            if (iy >= layer.ifmapHeight() || ix >= layer.ifmapWidth()) {
                return -1;
            }
            return (iy * layer.ifmapWidth() + ix) * layer.channels() + ch;
        }

        private long filterAddress(long w, long filterIndex) {
            return filterIndex * k + w;
        }
    }

    /** SCALE-Sim's estimate-bandwidth read buffer, reduced to what decides the DRAM count. */
    private static final class ReadBuffer {
        private static final int SETS_PER_HALF = 50;
        private final long wordsPerSet;
        // the set each word was last added to, -1 for never
        private final int[] lastSet;
        private int currentSet;
        private long inCurrentSet;
        private int windowStart;
        private int windowEnd = SETS_PER_HALF - 1;
        long dramReads;

        ReadBuffer(long sramWords, long addressSpace) {
            this.wordsPerSet = sramWords / 100;
            if (addressSpace > Integer.MAX_VALUE - 8) {
                throw new InvalidInputException("layer too large to replay its DRAM traffic (" + addressSpace + " words)");
            }
            this.lastSet = new int[(int) addressSpace];
            Arrays.fill(lastSet, -1);
        }

        void read(long address) {
            if (address < 0) {
                return;
            }
            int last = lastSet[(int) address];
            if (last == currentSet || (last >= windowStart && last < Math.min(currentSet, windowEnd + 1))) {
                return;
            }
            lastSet[(int) address] = currentSet;
            dramReads++;
            inCurrentSet++;
            if (inCurrentSet == wordsPerSet) {
                inCurrentSet = 0;
                currentSet++;
                if (currentSet == windowEnd + 1) {
                    windowStart += SETS_PER_HALF;
                    windowEnd += SETS_PER_HALF;
                }
            }
        }
    }

    /** SCALE-Sim's ofmap write buffer, reduced to word counts per line. */
    private static final class WriteBuffer {
        private final long totalWords;
        private final long drainWords;
        private final int lineWords;
        // words in each closed line, oldest first; lines before drainedLines have gone to DRAM
        private int[] lineFill = new int[64];
        private int lineCount;
        private int drainedLines;
        private int openLineWords;
        private long freeWords;
        private long drainEndCycle;
        long dramWrites;

        WriteBuffer(long sramWords, int lineWords) {
            this.totalWords = sramWords;
            long active = (long) Math.ceil(sramWords * 0.5);
            this.drainWords = sramWords - active;
            this.lineWords = lineWords;
            this.freeWords = sramWords;
        }

        /** Writes {@code words} outputs at {@code cycle}; returns the cycle they are done (later when stalled). */
        long write(int words, long cycle) {
            long current = cycle;
            for (int i = 0; i < words; i++) {
                openLineWords++;
                freeWords--;
                if (openLineWords == lineWords) {
                    closeLine();
                }
                if (current < drainEndCycle) {
                    if (freeWords <= 0) {
                        current = drainEndCycle;
                    }
                } else if (freeWords < totalWords - drainWords) {
                    closeLine();
                    drainEndCycle = drain(current);
                }
            }
            return current;
        }

        void drainAll(long cycle) {
            closeLine();
            long c = cycle;
            while (drainedLines < lineCount) {
                drainEndCycle = drain(c);
                c = drainEndCycle + 1;
            }
        }

        private void closeLine() {
            if (openLineWords == 0) {
                return;
            }
            if (lineCount == lineFill.length) {
                lineFill = Arrays.copyOf(lineFill, lineFill.length * 2);
            }
            lineFill[lineCount++] = openLineWords;
            openLineWords = 0;
        }

        private long drain(long startCycle) {
            long chunk = Math.ceilDiv(drainWords, lineWords);
            int end = (int) Math.min(drainedLines + chunk, lineCount);
            int lines = end - drainedLines;
            if (lines == 0) {
                return drainEndCycle;
            }
            long words = (long) lines * lineWords - (lineWords - lineFill[end - 1]);
            dramWrites += words;
            freeWords += words;
            drainedLines = end;
            return startCycle + lines - 1;
        }
    }
}
