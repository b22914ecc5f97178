package dev.minnow.compress.encode;

import dev.minnow.errors.InvalidInputException;
import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * Canonical Huffman codes over small alphabets (cluster indices, run-length gaps), as Deep
 * Compression's last stage. A code is only its lengths per symbol: codes are handed out in
 * order of (length, symbol), so the table on disk is the lengths alone.
 *
 * <p>Lengths are capped at {@link #MAX_CODE_BITS}; when the optimal tree is deeper (very skewed
 * counts, Fibonacci-like), counts are halved (a used symbol keeps at least 1) and the tree is
 * built again, which gives a valid prefix code that is close to, not exactly, optimal.
 */
public final class Huffman {
    public static final int MAX_CODE_BITS = 24;
    /**
     * Table on disk: alphabet size (16 bits), then each symbol's length (0 = unused) as a change
     * from the previous symbol's (starting from 0): {@code 0} same, {@code 1 0 s} one up (s = 0)
     * or down (s = 1), {@code 1 1} and the length in 5 bits otherwise. Lengths of gap alphabets
     * climb slowly with the gap and unused symbols come in runs, so a table costs 1 to 3 bits a
     * symbol instead of 5; that lets wide gap alphabets (k = 9..12) pay for themselves.
     */
    static final int ALPHABET_BITS = 16;
    static final int LENGTH_BITS = 5;
    public static final int MAX_ALPHABET = (1 << ALPHABET_BITS) - 1;

    private final int[] lengths;
    private final int[] codes;
    private final int maxLength;
    // decoding tables, indexed by length
    private final int[] countByLength;
    private final int[] firstCodeByLength;
    private final int[] firstIndexByLength;
    private final int[] symbolsByCode;

    private Huffman(int[] lengths) {
        this.lengths = lengths;
        this.codes = new int[lengths.length];
        int max = 0;
        for (int l : lengths) {
            max = Math.max(max, l);
        }
        this.maxLength = max;
        countByLength = new int[max + 2];
        for (int l : lengths) {
            if (l > 0) {
                countByLength[l]++;
            }
        }
        firstCodeByLength = new int[max + 2];
        firstIndexByLength = new int[max + 2];
        int code = 0;
        int index = 0;
        for (int len = 1; len <= max; len++) {
            code = (code + countByLength[len - 1]) << 1; // countByLength[0] is 0: the first code is 0
            firstCodeByLength[len] = code;
            firstIndexByLength[len] = index;
            index += countByLength[len];
        }
        symbolsByCode = new int[index];
        int[] next = firstCodeByLength.clone();
        int[] slot = firstIndexByLength.clone();
        for (int len = 1; len <= max; len++) {
            for (int s = 0; s < lengths.length; s++) {
                if (lengths[s] == len) {
                    codes[s] = next[len]++;
                    symbolsByCode[slot[len]++] = s;
                }
            }
        }
    }

    /** The optimal (or, past the cap, nearly optimal) code for these counts; symbol i has count freq[i]. */
    public static Huffman build(long[] freq) {
        return new Huffman(codeLengths(freq, MAX_CODE_BITS));
    }

    /** A code from lengths (0 = symbol unused); the lengths must satisfy Kraft's inequality. */
    public static Huffman fromLengths(int[] lengths) {
        double kraft = 0;
        for (int l : lengths) {
            if (l < 0 || l > MAX_CODE_BITS) {
                throw new InvalidInputException("Huffman code length " + l + " outside 0.." + MAX_CODE_BITS
                        + "; the file is corrupt");
            }
            if (l > 0) {
                kraft += Math.scalb(1.0, -l);
            }
        }
        if (kraft > 1.0) {
            throw new InvalidInputException("Huffman code lengths are not a prefix code (Kraft sum " + kraft
                    + " > 1); the file is corrupt");
        }
        return new Huffman(lengths.clone());
    }

    /**
     * Code lengths of a Huffman tree over the used symbols, ties broken by node creation order
     * (leaves by symbol, then internal nodes as made) so the result never depends on hashing or
     * sort stability. One used symbol gets length 1; unused symbols get 0.
     */
    public static int[] codeLengths(long[] freq, int maxBits) {
        if (freq.length > MAX_ALPHABET) {
            throw new IllegalArgumentException("alphabet of " + freq.length + " symbols above " + MAX_ALPHABET);
        }
        long[] f = freq.clone();
        while (true) {
            int[] lengths = unlimitedLengths(f);
            if (Arrays.stream(lengths).max().orElse(0) <= maxBits) {
                return lengths;
            }
            for (int i = 0; i < f.length; i++) {
                if (f[i] > 0) {
                    f[i] = Math.max(1, f[i] / 2);
                }
            }
        }
    }

    private static int[] unlimitedLengths(long[] freq) {
        int n = freq.length;
        int[] lengths = new int[n];
        int used = 0;
        int only = -1;
        for (int i = 0; i < n; i++) {
            if (freq[i] < 0) {
                throw new IllegalArgumentException("negative count " + freq[i] + " for symbol " + i);
            }
            if (freq[i] > 0) {
                used++;
                only = i;
            }
        }
        if (used <= 1) {
            if (used == 1) {
                lengths[only] = 1;
            }
            return lengths;
        }
        long[] weight = new long[2 * n];
        int[] parent = new int[2 * n];
        PriorityQueue<Integer> queue = new PriorityQueue<>((a, b) -> weight[a] != weight[b]
                ? Long.compare(weight[a], weight[b]) : Integer.compare(a, b));
        for (int i = 0; i < n; i++) {
            if (freq[i] > 0) {
                weight[i] = freq[i];
                queue.add(i);
            }
        }
        int next = n;
        while (queue.size() > 1) {
            int a = queue.poll();
            int b = queue.poll();
            weight[next] = weight[a] + weight[b];
            parent[a] = next;
            parent[b] = next;
            queue.add(next++);
        }
        int root = next - 1;
        int[] depth = new int[2 * n];
        for (int node = root - 1; node >= 0; node--) {
            if (node >= n || freq[node] > 0) {
                depth[node] = depth[parent[node]] + 1;
            }
        }
        for (int i = 0; i < n; i++) {
            if (freq[i] > 0) {
                lengths[i] = depth[i];
            }
        }
        return lengths;
    }

    public int[] lengths() {
        return lengths.clone();
    }

    /** The canonical code word of a symbol (its low {@code lengths()[s]} bits). */
    public int code(int symbol) {
        return codes[symbol];
    }

    public int alphabetSize() {
        return lengths.length;
    }

    public void encode(int[] symbols, BitWriter out) {
        for (int s : symbols) {
            if (s < 0 || s >= lengths.length || lengths[s] == 0) {
                throw new IllegalArgumentException("symbol " + s + " has no code");
            }
            out.write(codes[s], lengths[s]);
        }
    }

    public int[] decode(BitReader in, int count, String what) {
        int[] r = new int[count];
        for (int i = 0; i < count; i++) {
            int code = 0;
            int len = 0;
            while (true) {
                code = (code << 1) | in.readBit();
                len++;
                if (len > maxLength) {
                    throw new InvalidInputException(what + ": a bit pattern matches no Huffman code; the file is corrupt");
                }
                int offset = code - firstCodeByLength[len];
                if (offset >= 0 && offset < countByLength[len]) {
                    r[i] = symbolsByCode[firstIndexByLength[len] + offset];
                    break;
                }
            }
        }
        return r;
    }

    /** Bits of the encoded stream: sum over symbols of count x length. */
    public long payloadBits(long[] freq) {
        long bits = 0;
        for (int s = 0; s < freq.length; s++) {
            bits += freq[s] * lengths[s];
        }
        return bits;
    }

    public long tableBits() {
        long bits = ALPHABET_BITS;
        int previous = 0;
        for (int l : lengths) {
            bits += l == previous ? 1 : Math.abs(l - previous) == 1 ? 3 : 2 + LENGTH_BITS;
            previous = l;
        }
        return bits;
    }

    public void writeTable(BitWriter out) {
        out.write(lengths.length, ALPHABET_BITS);
        int previous = 0;
        for (int l : lengths) {
            if (l == previous) {
                out.write(0, 1);
            } else if (Math.abs(l - previous) == 1) {
                out.write(0b10, 2);
                out.write(l > previous ? 0 : 1, 1);
            } else {
                out.write(0b11, 2);
                out.write(l, LENGTH_BITS);
            }
            previous = l;
        }
    }

    public static Huffman readTable(BitReader in) {
        int n = in.read(ALPHABET_BITS);
        int[] lengths = new int[n];
        int previous = 0;
        for (int i = 0; i < n; i++) {
            int l;
            if (in.read(1) == 0) {
                l = previous;
            } else if (in.read(1) == 0) {
                l = in.read(1) == 0 ? previous + 1 : previous - 1;
            } else {
                l = in.read(LENGTH_BITS);
            }
            if (l < 0 || l > MAX_CODE_BITS) {
                throw new InvalidInputException("Huffman table gives symbol " + i + " a code of " + l
                        + " bits (at most " + MAX_CODE_BITS + "); the file is corrupt");
            }
            lengths[i] = l;
            previous = l;
        }
        return fromLengths(lengths);
    }

    /** Counts of each symbol in 0..alphabetSize-1. */
    public static long[] frequencies(int[] symbols, int alphabetSize) {
        long[] f = new long[alphabetSize];
        for (int s : symbols) {
            f[s]++;
        }
        return f;
    }
}
