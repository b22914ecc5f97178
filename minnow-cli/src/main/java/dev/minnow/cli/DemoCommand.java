package dev.minnow.cli;

import dev.minnow.data.Datasets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The main job, for now: train LeNet-5 on MNIST, evaluate it on the test set, save it as ONNX "
                + "and print a summary. MNIST is downloaded into the data folder first if it is not there."})
final class DemoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--epochs", defaultValue = "1", description = "Training epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--out", defaultValue = "lenet5-mnist.onnx", description = "Where to save the model (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where datasets live (default: $MINNOW_DATA).")
    String dataDir;

    @Override
    public Integer call() {
        List<String> args = new ArrayList<>(List.of("--model", "lenet5", "--dataset", "mnist",
                "--epochs", String.valueOf(epochs), "--seed", "1", "--out", out.toString()));
        if (dataDir != null) {
            args.addAll(List.of("--data-dir", dataDir));
        }
        TrainCommand t = new TrainCommand();
        new CommandLine(t).parseArgs(args.toArray(String[]::new));
        t.common = common;
        common.apply();
        // the demo is the first thing a new user runs: fetch MNIST if it is not there yet
        Datasets.ensureDownloaded("mnist", Datasets.resolveDataDir(dataDir), (file, bytes, total) -> { });
        TrainCommand.Run r = t.run();
        common.emit(r.json(), "Minnow demo: LeNet-5 on MNIST\n\n" + r.human()
                + "\nNext: ./minnow info " + out + "   |   ./minnow eval " + out + " --dataset mnist\n");
        return 0;
    }
}
