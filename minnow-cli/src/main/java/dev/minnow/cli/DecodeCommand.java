package dev.minnow.cli;

import dev.minnow.compress.encode.Mnz;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "decode", mixinStandardHelpOptions = true,
        description = {"Turn an .mnz file (from `minnow encode`) back into an ONNX model whose weights equal the",
                "encoded ones bit for bit. Every section's checksum is verified first."},
        footer = {"", "Example:", "  minnow decode lenet.mnz --out lenet.onnx"})
final class DecodeCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "FILE", description = "The .mnz file.")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the model (.onnx).")
    Path out;

    @Override
    public Integer call() {
        common.apply();
        if (!out.toString().endsWith(".onnx")) {
            throw new InvalidInputException("--out must name an .onnx file, got " + out);
        }
        Graph g = Mnz.read(in, EncodeCommand.ONNX);
        Onnx.write(g, out);
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("in", in.toString());
        j.put("out", out.toString());
        j.put("params", g.paramCount());
        j.put("initializers", g.initializers().size());
        common.emit(j, String.format("%s -> %s: %s parameters in %d initializers%n", in, out,
                Table.count(g.paramCount()), g.initializers().size()));
        return 0;
    }
}
