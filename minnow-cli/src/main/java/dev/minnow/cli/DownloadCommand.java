package dev.minnow.cli;

import dev.minnow.data.Datasets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "download", mixinStandardHelpOptions = true,
        description = {"Download a dataset's official files into the data folder, checking their SHA-256.",
                "Files already there are kept; a file whose checksum does not match is deleted and reported."},
        footer = {"", "Examples:", "  minnow download mnist", "  minnow download cifar10 --data-dir ~/data"})
final class DownloadCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "DATASET", description = "mnist, fashion-mnist or cifar10.")
    String dataset;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Target folder (default: $MINNOW_DATA, else ~/.cache/minnow).")
    String dataDir;

    @Override
    public Integer call() {
        common.apply();
        Path dir = Datasets.resolveDataDir(dataDir);
        Map<String, Progress> bars = new LinkedHashMap<>();
        List<Path> got = Datasets.ensureDownloaded(dataset, dir, (file, bytes, total) ->
                bars.computeIfAbsent(file, f -> new Progress(f, Math.max(total, 1), "B")).update(bytes, null));
        bars.values().forEach(Progress::finish);
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("dataset", dataset);
        j.put("data_dir", dir.toString());
        j.put("downloaded", got.stream().map(Path::toString).toList());
        common.emit(j, got.isEmpty() ? dataset + ": all files already in " + dir + "\n"
                : dataset + ": downloaded " + got.size() + " file(s) into " + dir + "\n");
        return 0;
    }
}
