package dev.minnow.compress.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HuffmanTest {
    @Test
    void textbookExampleGivesTheHandComputedCode() {
        // CLRS 16.3: a..f with counts 45 13 12 16 9 5; merges f+e=14, c+b=25, 14+d=30, 25+30=55, a+55=100
        long[] freq = {45, 13, 12, 16, 9, 5};
        Huffman h = Huffman.build(freq);
        assertArrayEquals(new int[] {1, 3, 3, 3, 4, 4}, h.lengths());
        assertEquals(224, h.payloadBits(freq));
        // canonical: by (length, symbol): a=0, b=100, c=101, d=110, e=1110, f=1111
        assertArrayEquals(new int[] {0b0, 0b100, 0b101, 0b110, 0b1110, 0b1111},
                new int[] {h.code(0), h.code(1), h.code(2), h.code(3), h.code(4), h.code(5)});
    }

    @Test
    void tiesAreBrokenBySymbolOrderSoTheCodeIsDeterministic() {
        // 2,1,1,1: the two lowest-numbered 1s merge first (b+c=2), then d with a tie 2/2 (a before the new node)
        assertArrayEquals(new int[] {2, 2, 2, 2}, Huffman.build(new long[] {2, 1, 1, 1}).lengths());
        assertArrayEquals(new int[] {1, 2, 2}, Huffman.build(new long[] {2, 1, 1}).lengths());
        assertArrayEquals(new int[] {0, 1, 0}, Huffman.build(new long[] {0, 7, 0}).lengths());
        long[] f = new long[40];
        Random r = new Random(3);
        for (int i = 0; i < f.length; i++) {
            f[i] = 1 + r.nextInt(4); // many ties
        }
        assertArrayEquals(Huffman.build(f).lengths(), Huffman.build(f.clone()).lengths());
    }

    @Test
    void costMatchesABruteForceSearchOverAllPrefixCodesOnSmallAlphabets() {
        Random r = new Random(11);
        for (int trial = 0; trial < 200; trial++) {
            int n = 2 + r.nextInt(5);
            long[] freq = new long[n];
            for (int i = 0; i < n; i++) {
                freq[i] = 1 + r.nextInt(trial % 2 == 0 ? 5 : 1000);
            }
            long best = bruteForceBest(freq, new int[n], 0);
            assertEquals(best, Huffman.build(freq).payloadBits(freq), Arrays.toString(freq));
        }
    }

    /** The cheapest lengths (each 1..n-1) whose Kraft sum is at most 1: every prefix code has such lengths. */
    private static long bruteForceBest(long[] freq, int[] lengths, int i) {
        if (i == freq.length) {
            double kraft = 0;
            long cost = 0;
            for (int s = 0; s < freq.length; s++) {
                kraft += Math.scalb(1.0, -lengths[s]);
                cost += freq[s] * lengths[s];
            }
            return kraft <= 1.0 ? cost : Long.MAX_VALUE;
        }
        long best = Long.MAX_VALUE;
        for (int l = 1; l < freq.length; l++) {
            lengths[i] = l;
            best = Math.min(best, bruteForceBest(freq, lengths, i + 1));
        }
        return best;
    }

    @Test
    void roundTripsRandomAndSkewedStreamsAndTheSizeIsTheTablePlusCountTimesLength() {
        Random r = new Random(5);
        for (int trial = 0; trial < 6; trial++) {
            int alphabet = trial < 3 ? 200 : 32;
            int[] symbols = new int[5000 + r.nextInt(3000)];
            for (int i = 0; i < symbols.length; i++) {
                symbols[i] = trial < 3 ? r.nextInt(alphabet)
                        : Math.min(alphabet - 1, (int) (-Math.log(1 - r.nextDouble()) * 1.5)); // geometric-like
            }
            long[] freq = Huffman.frequencies(symbols, alphabet);
            Huffman h = Huffman.build(freq);
            BitWriter out = new BitWriter();
            h.writeTable(out);
            h.encode(symbols, out);
            long expectedBits = h.tableBits() + h.payloadBits(freq);
            assertEquals(expectedBits, out.bitCount());
            byte[] bytes = out.toBytes();
            assertEquals((expectedBits + 7) / 8, bytes.length);
            BitReader in = new BitReader(bytes, "test");
            Huffman back = Huffman.readTable(in);
            assertArrayEquals(h.lengths(), back.lengths());
            assertArrayEquals(symbols, back.decode(in, symbols.length, "test"));
            if (trial >= 3) {
                assertTrue(h.payloadBits(freq) < 5L * symbols.length, "skewed stream beats 5 fixed bits");
            }
        }
    }

    @Test
    void fibonacciCountsThatWantCodesLongerThanTheCapStillGiveAValidCappedCode() {
        long[] freq = new long[40];
        freq[0] = 1;
        freq[1] = 1;
        for (int i = 2; i < freq.length; i++) {
            freq[i] = freq[i - 1] + freq[i - 2];
        }
        int unlimited = Arrays.stream(Huffman.codeLengths(freq, 64)).max().orElseThrow();
        assertTrue(unlimited > Huffman.MAX_CODE_BITS, "the case must exceed the cap, got " + unlimited);
        Huffman h = Huffman.build(freq);
        double kraft = 0;
        for (int l : h.lengths()) {
            assertTrue(l >= 1 && l <= Huffman.MAX_CODE_BITS, "length " + l);
            kraft += Math.scalb(1.0, -l);
        }
        assertTrue(kraft <= 1.0);
        int[] symbols = new int[freq.length * 3];
        for (int i = 0; i < symbols.length; i++) {
            symbols[i] = i % freq.length;
        }
        BitWriter out = new BitWriter();
        h.encode(symbols, out);
        assertArrayEquals(symbols, h.decode(new BitReader(out.toBytes(), "t"), symbols.length, "t"));
    }

    @Test
    void corruptTablesAndStreamsAreInvalidInput() {
        assertThrows(InvalidInputException.class, () -> Huffman.fromLengths(new int[] {1, 1, 1}));
        assertThrows(InvalidInputException.class, () -> Huffman.fromLengths(new int[] {25, 1}));
        Huffman h = Huffman.build(new long[] {5, 1, 1});
        BitWriter out = new BitWriter();
        h.encode(new int[] {1, 2, 1, 2, 1}, out); // 10 bits in 2 bytes
        byte[] bytes = out.toBytes();
        assertThrows(InvalidInputException.class,
                () -> h.decode(new BitReader(bytes, "t"), 12, "t"), "10 bits + 6 padding zeros (= 6 more a) hold 11 symbols");
        // an incomplete code: '1' is a prefix of nothing with lengths {1, 0}
        Huffman single = Huffman.fromLengths(new int[] {1, 0});
        assertThrows(InvalidInputException.class,
                () -> single.decode(new BitReader(new byte[] {(byte) 0x80}, "t"), 1, "t"));
    }

    /** Lengths with steps of 0, +-1 and jumps (to 0, to 24) survive the delta-coded table, at the bits tableBits says. */
    @Test
    void tablesOfSlowlyChangingAndJumpingLengthsRoundTrip() {
        // a gap-like alphabet: lengths climb slowly, unused symbols in runs, one long code
        long[] freq = new long[600];
        SplittableRandom r = new SplittableRandom(9);
        for (int s = 0; s < freq.length; s++) {
            freq[s] = s > 400 && s % 50 != 0 ? 0 : 1 + (long) (100000 * Math.exp(-s / 30.0)) + r.nextInt(3);
        }
        Huffman h = Huffman.build(freq);
        BitWriter out = new BitWriter();
        h.writeTable(out);
        byte[] bytes = out.toBytes();
        assertEquals((h.tableBits() + 7) / 8, bytes.length);
        assertTrue(h.tableBits() < 16 + 3L * freq.length, "delta-coded: " + h.tableBits() + " bits");
        Huffman back = Huffman.readTable(new BitReader(bytes, "t"));
        assertArrayEquals(h.lengths(), back.lengths());
        // hand-made: 0 -> 2 (jump), 2 -> 3 (+1), 3 (same), 3 -> 2 (-1), 2 -> 0 (jump)
        Huffman hand = Huffman.fromLengths(new int[] {2, 3, 3, 2, 0, 2});
        assertEquals(16 + 7 + 3 + 1 + 3 + 7 + 7, hand.tableBits());
        BitWriter w = new BitWriter();
        hand.writeTable(w);
        Huffman handBack = Huffman.readTable(new BitReader(w.toBytes(), "t"));
        assertArrayEquals(new int[] {2, 3, 3, 2, 0, 2}, handBack.lengths());
    }
}
