package dev.minnow.compress.recipe;

import dev.minnow.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/** export: the current model as ONNX in the run's folder (NAME.onnx, default step-N-export.onnx). */
final class ExportStep implements Step {
    @Override
    public StepOutput run(StepSpec spec, ModelState in, StepContext ctx) {
        String name = spec.text("name", null);
        if (name != null && (name.contains("/") || name.contains("\\") || name.startsWith("."))) {
            throw spec.error(ctx.source(), "name is a file name in the output folder, without folders; got '" + name + "'");
        }
        Path file = name == null ? ctx.stepFile(StepKind.EXPORT, "onnx")
                : ctx.dir().resolve(name.endsWith(".onnx") ? name : name + ".onnx");
        try {
            AtomicFiles.write(file, ctx.codec().writer().apply(in.graph()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return new StepOutput(in, Map.of("onnx", file.getFileName().toString()), file, null);
    }
}
