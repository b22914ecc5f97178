package dev.minnow.compress.recipe;

import dev.minnow.compress.encode.LayerReport;
import dev.minnow.compress.encode.Mnz;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * encode: the model as a .mnz file (sparse formats, codebooks, Huffman; lossless), saved as the
 * step's file; its size is the model's size from here on. The graph goes on unchanged.
 */
final class EncodeStep implements Step {
    @Override
    public StepOutput run(StepSpec spec, ModelState in, StepContext ctx) {
        Path file = ctx.stepFile(StepKind.ENCODE, "mnz");
        Mnz.Report r = Mnz.write(in.graph(), file, ctx.codec(), false);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("dense_bytes", r.sizeBytesBefore());
        d.put("mnz_bytes", r.sizeBytesAfter());
        d.put("ratio", r.ratio());
        d.put("graph_bytes", r.graphSectionBytes());
        List<Object> layers = r.layers().stream().map(EncodeStep::layer).toList();
        d.put("layers", layers);
        return new StepOutput(in, d, file, r.sizeBytesAfter());
    }

    private static Object layer(LayerReport l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", l.name());
        m.put("format", l.format());
        m.put("value_coding", l.valueCoding());
        m.put("kept_fraction", l.keptFraction());
        m.put("bits_per_weight", l.bitsPerWeight());
        m.put("total_bytes", l.totalBytes());
        return m;
    }
}
