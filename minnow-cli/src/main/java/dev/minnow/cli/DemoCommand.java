package dev.minnow.cli;

import dev.minnow.compress.recipe.Recipe;
import dev.minnow.compress.recipe.RecipeReader;
import dev.minnow.data.Datasets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The main job on a small scale: train LeNet-5 on MNIST, then run the deep-compression recipe (prune",
                "with fine-tuning, k-means weight sharing with centroid fine-tuning, Huffman-coded .mnz) with half the",
                "fine-tuning epochs, and print where the report is. MNIST is downloaded into the data folder first if",
                "it is not there."})
final class DemoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--epochs", defaultValue = "2", description = "Training epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--out", defaultValue = "minnow-demo", paramLabel = "DIR", description = "The run's folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where datasets live (default: $MINNOW_DATA).")
    String dataDir;

    @Option(names = "--restart", description = "Start again in --out instead of continuing the run there.")
    boolean restart;

    @Override
    public Integer call() {
        common.apply();
        // the demo is the first thing a new user runs: fetch MNIST if it is not there yet
        Datasets.ensureDownloaded("mnist", Datasets.resolveDataDir(dataDir), (file, bytes, total) -> { });
        CompressCommand c = new CompressCommand();
        c.common = common;
        c.model = "lenet5";
        c.dataset = "mnist";
        c.dataDir = dataDir;
        c.out = out;
        c.seed = 1;
        c.epochsScale = 0.5;
        c.trainEpochs = epochs;
        c.restart = restart;
        c.rounds = 4;
        c.latencySeconds = 0.5;
        int code = c.execute(recipe());
        if (!common.json) {
            System.out.println("Report: " + out.resolve("report.html") + " (numbers in report.json)   |   ./minnow eval "
                    + out.resolve("step-0-base.onnx") + " --dataset mnist");
        }
        return code;
    }

    /** The built-in deep-compression recipe. */
    static Recipe recipe() {
        return RecipeReader.builtin("deep-compression");
    }
}
