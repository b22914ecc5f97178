package dev.minnow.hw.eyeriss;

import dev.minnow.errors.InvalidInputException;

/**
 * Eyeriss's run-length code for activations between DRAM and the global buffer (Chen et al.,
 * JSSC 2017, Section V-B): a 64-bit DRAM word holds three (run, level) pairs, a 5-bit count of
 * zeros (0-31) and the 16-bit value after them, plus one termination bit. Filters are not coded.
 *
 * <p>Zeros are taken as independent with probability {@code z}: a pair covers a run of zeros and
 * the value ending it, so a value that is not zero costs one pair and a run longer than 31 one
 * extra pair per 32 zeros; the expected pairs per value are {@code (1 - z) / (1 - z^32)}, and
 * four 16-bit words carry three pairs. A tensor is sent raw when coding would not shrink it
 * (below about 25% zeros: an input image), as the chip's encoder can be bypassed per layer.
 */
public final class RunLengthCode {
    private RunLengthCode() {
    }

    /** Words moved for {@code words} 16-bit values of which the fraction {@code zeros} are 0. */
    public static long codedWords(long words, double zeros) {
        if (!(zeros >= 0 && zeros <= 1)) {
            throw new InvalidInputException("a zero fraction must be in [0, 1], got " + zeros);
        }
        if (zeros >= 1) {
            return Math.min(words, 4 * Math.ceilDiv(Math.ceilDiv(words, 32), 3));
        }
        double pairs = words * (1 - zeros) / (1 - Math.pow(zeros, 32));
        long coded = 4 * (long) Math.ceil(pairs / 3);
        return Math.min(words, coded);
    }
}
