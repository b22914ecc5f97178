package dev.minnow.infer;

import dev.minnow.infer.spi.KernelProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/** The providers an executor asks, in order: highest priority first; options' providers before loaded ones of equal priority. */
final class KernelProviders {
    private KernelProviders() {
    }

    /** Loaded once per class loader (the built-in ones and any on the class path). */
    private static final class Loaded {
        static final List<KernelProvider> ALL = ServiceLoader.load(KernelProvider.class, KernelProvider.class.getClassLoader())
                .stream().map(ServiceLoader.Provider::get).toList();
    }

    static List<KernelProvider> ordered(ExecutionOptions options) {
        List<KernelProvider> all = new ArrayList<>(options.providers());
        all.addAll(Loaded.ALL);
        all.sort(Comparator.comparingInt(KernelProvider::priority).reversed()); // stable
        return List.copyOf(all);
    }
}
