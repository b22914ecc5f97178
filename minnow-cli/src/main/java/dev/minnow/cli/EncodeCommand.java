package dev.minnow.cli;

import dev.minnow.compress.encode.GraphCodec;
import dev.minnow.compress.encode.LayerReport;
import dev.minnow.compress.encode.Mnz;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "encode", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a model as a Deep-Compression .mnz file: each float32 weight in its smallest sparse format",
                "(dense, bitmask, CSR, CSC, relative index with fixed or Huffman-coded gaps) and value coding (float32,",
                "or a codebook with Huffman-coded indices when a layer has at most 256 distinct values). Lossless unless",
                "--float16. `minnow decode` gives the model back (docs/DEEP_COMPRESSION.md)."},
        footer = {"", "Examples:", "  minnow encode lenet-pruned.onnx --out lenet.mnz",
                "  minnow encode lenet-pruned.onnx --out lenet.mnz --json", "", "The input model file is never modified."})
final class EncodeCommand implements Callable<Integer> {
    static final GraphCodec ONNX = new GraphCodec(Onnx::toBytes, Onnx::fromBytes);

    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "MODEL", description = "An .onnx file or a zoo model name.")
    String model;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the .mnz file.")
    Path out;

    @Option(names = "--float16", description = "Store values as IEEE half floats (lossy; off by default).")
    boolean float16;

    @Override
    public Integer call() {
        common.apply();
        if (!out.toString().endsWith(".mnz")) {
            throw new InvalidInputException("--out must name an .mnz file, got " + out);
        }
        Graph g = Models.load(model, 1);
        Mnz.Report report = Mnz.write(g, out, ONNX, float16);
        List<Map<String, Object>> layers = new ArrayList<>();
        Table t = new Table("layer", "shape", "kept", "format", "values", "bits/weight", "index bits", "Huffman saved",
                "total B", "ratio");
        for (LayerReport l : report.layers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.name());
            m.put("shape", l.shape());
            m.put("format", l.format());
            m.put("value_coding", l.valueCoding());
            m.put("elements", l.elements());
            m.put("non_zeros", l.nonZeros());
            m.put("kept_fraction", l.keptFraction());
            m.put("bits_per_weight", l.bitsPerWeight());
            m.put("index_bits_per_weight", l.indexBitsPerWeight());
            m.put("huffman_saved_bytes", l.huffmanSavedBytes());
            m.put("stored_values", l.storedValues());
            m.put("header_bytes", l.headerBytes());
            m.put("index_bytes", l.indexBytes());
            m.put("codebook_bytes", l.codebookBytes());
            m.put("value_bytes", l.valueBytes());
            m.put("huffman_table_bytes", l.huffmanTableBytes());
            m.put("total_bytes", l.totalBytes());
            layers.add(m);
            t.row(l.name(), l.shape().toString(), Table.percent(l.keptFraction()), l.format(), l.valueCoding(),
                    String.format("%.1f", l.bitsPerWeight()), String.format("%.1f", l.indexBitsPerWeight()),
                    Table.count(l.huffmanSavedBytes()) + " B", Table.count(l.totalBytes()), String.format("%.1fx", l.ratio()));
        }
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        j.put("out", out.toString());
        j.put("size_bytes_before", report.sizeBytesBefore());
        j.put("size_bytes_after", report.sizeBytesAfter());
        j.put("ratio", report.ratio());
        j.put("graph_bytes", report.graphSectionBytes());
        j.put("float16", float16);
        j.put("layers", layers);
        String human = t.render() + String.format("%n%s bytes dense (4 per parameter) -> %s bytes in %s: %.2fx"
                        + " (graph structure %s bytes)%n", Table.count(report.sizeBytesBefore()),
                Table.count(report.sizeBytesAfter()), out, report.ratio(), Table.count(report.graphSectionBytes()));
        common.emit(j, human);
        return 0;
    }
}
