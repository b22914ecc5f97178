package dev.minnow.cli;

import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Datasets;
import picocli.CommandLine.Option;

/** --dataset and --data-dir, shared by the commands that read data. */
final class DataOptions {
    @Option(names = "--dataset", required = true, paramLabel = "NAME",
            description = "mnist, fashion-mnist, cifar10, or imagefolder:PATH (a folder or .tgz with train/ and test/).")
    String dataset;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where datasets live (default: $MINNOW_DATA, else ~/.cache/minnow).")
    String dataDir;

    @Option(names = "--classes", paramLabel = "FILE", description = "For imagefolder: one class folder name per line, "
            + "in class-index order (default: the class folders sorted by name, empty ones included).")
    java.nio.file.Path classes;

    DatasetSplit load() {
        return Datasets.load(dataset, Datasets.resolveDataDir(dataDir),
                classes == null ? null : Datasets.readClassList(classes));
    }
}
