package dev.minnow.cli;

import dev.minnow.kernels.Parallel;
import picocli.CommandLine.Option;

/** Options every command shares. */
final class CommonOptions {
    @Option(names = "--json", description = "Print the result as one JSON object on the last line of stdout.")
    boolean json;

    @Option(names = "--threads", paramLabel = "N", description = "Threads for kernels (default: all cores).")
    Integer threads;

    void apply() {
        if (threads != null) {
            Parallel.setThreads(threads);
        }
    }

    /** Prints the human view, or the JSON line when --json is set. */
    void emit(java.util.Map<String, Object> result, String human) {
        if (json) {
            System.out.println(Json.write(result));
        } else {
            System.out.print(human);
        }
    }
}
