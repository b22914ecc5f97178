package dev.minnow.cli;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import dev.minnow.onnx.ReadOptions;
import dev.minnow.zoo.Zoo;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resolves a MODEL argument: a path to an .onnx or .mnz file, or the name of a zoo model. Float16 and
 * bfloat16 models are upcast to float32 on load: Minnow's kernels compute in float32.
 */
final class Models {
    private Models() {
    }

    static Graph load(String model, long seed) {
        Path p = Path.of(model);
        if (Files.isRegularFile(p)) {
            if (model.endsWith(".mnz")) {
                return dev.minnow.compress.encode.Mnz.read(p, EncodeCommand.ONNX); // every section checked first
            }
            return Onnx.read(p, ReadOptions.defaults().withUpcastHalf(true));
        }
        if (Zoo.names().contains(model)) {
            return Zoo.build(model, seed);
        }
        if (model.endsWith(".onnx") || model.endsWith(".mnz") || model.contains("/") || model.contains("\\")) {
            throw new InvalidInputException("model file not found: " + model);
        }
        throw new InvalidInputException("'" + model + "' is neither a model file nor a zoo model. Zoo models: "
                + String.join(", ", Zoo.names()));
    }
}
