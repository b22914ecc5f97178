package dev.minnow.hw.eyeriss;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.hw.KeyValueFile;
import java.nio.file.Path;
import java.util.List;

/**
 * An Eyeriss-like row-stationary array (Chen et al., ISCA 2016; JSSC 2017). Defaults are the
 * chip's (JSSC Section IV): 12 x 14 PEs; per PE a filter scratchpad of 224 words, an ifmap
 * scratchpad of 12 words and a psum scratchpad of 24 words; a 108 KB global buffer of which
 * 100 KB hold ifmaps and psums; 16-bit words; batch 4 (the AlexNet run of Table V).
 */
public record EyerissConfig(int peRows, int peCols, int filterSpadWords, int ifmapSpadWords, int psumSpadWords,
                            int bufferKb, int wordBits, int batch) {
    public EyerissConfig {
        positive("pe_rows", peRows);
        positive("pe_cols", peCols);
        positive("filter_spad_words", filterSpadWords);
        positive("ifmap_spad_words", ifmapSpadWords);
        positive("psum_spad_words", psumSpadWords);
        positive("buffer_kb", bufferKb);
        positive("word_bits", wordBits);
        positive("batch", batch);
    }

    private static void positive(String field, int v) {
        if (v < 1) {
            throw new InvalidInputException("Eyeriss description: " + field + " must be at least 1, got " + v);
        }
    }

    public static EyerissConfig chip() {
        return new EyerissConfig(12, 14, 224, 12, 24, 100, 16, 4);
    }

    /** A description file: any of the keys below, the chip's values for the others. */
    public static EyerissConfig read(Path file) {
        EyerissConfig d = chip();
        KeyValueFile kv = KeyValueFile.read(file, List.of("pe_rows", "pe_cols", "filter_spad_words", "ifmap_spad_words",
                "psum_spad_words", "buffer_kb", "word_bits", "batch"));
        return new EyerissConfig(kv.getInt("pe_rows", d.peRows), kv.getInt("pe_cols", d.peCols),
                kv.getInt("filter_spad_words", d.filterSpadWords), kv.getInt("ifmap_spad_words", d.ifmapSpadWords),
                kv.getInt("psum_spad_words", d.psumSpadWords), kv.getInt("buffer_kb", d.bufferKb),
                kv.getInt("word_bits", d.wordBits), kv.getInt("batch", d.batch));
    }

    public EyerissConfig withBatch(int n) {
        return new EyerissConfig(peRows, peCols, filterSpadWords, ifmapSpadWords, psumSpadWords, bufferKb, wordBits, n);
    }

    public long bufferWords() {
        return (long) bufferKb * 1024 * 8 / wordBits;
    }

    public int pes() {
        return peRows * peCols;
    }
}
