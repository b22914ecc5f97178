package dev.minnow.kernels;

/**
 * Whether the Vector API (incubator module jdk.incubator.vector) can be used. Kernels check
 * {@link #AVAILABLE} before touching any class that links against the module, so a JVM started
 * without {@code --add-modules jdk.incubator.vector} falls back to the scalar twins instead of
 * failing with NoClassDefFoundError.
 */
public final class VectorSupport {
    /** True when the module is in the boot layer and its preferred float species loads. */
    public static final boolean AVAILABLE = probe();

    private VectorSupport() {
    }

    private static boolean probe() {
        if (Boolean.getBoolean("minnow.noVector")) {
            return false;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            return Probe.lanes() >= 4;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    /** Separate class so the species is only linked after the module check passed. */
    private static final class Probe {
        static int lanes() {
            return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        }
    }
}
