package dev.minnow.train;

/** Derives independent seeds from a run seed and counters, so any step can be replayed on resume. */
final class Seeds {
    private Seeds() {
    }

    /** SplitMix64 finalizer over a combination of the inputs. */
    static long mix(long seed, long a, long b) {
        long z = seed + 0x9E3779B97F4A7C15L * (a + 1) + 0xC2B2AE3D27D4EB4FL * (b + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
