package dev.minnow.errors;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** "Did you mean": the known names nearest to an unknown one, for error messages. */
public final class ClosestNames {
    private ClosestNames() {
    }

    /**
     * Up to max names from known, nearest first by case-insensitive edit distance, keeping only
     * those within about a third of the name's length (beyond that a suggestion is noise).
     */
    public static List<String> of(String name, Collection<String> known, int max) {
        String n = name.toLowerCase(Locale.ROOT);
        int limit = Math.max(2, n.length() / 3);
        record Scored(String name, int distance) {
        }
        return known.stream()
                .map(k -> new Scored(k, distance(n, k.toLowerCase(Locale.ROOT))))
                .filter(s -> s.distance() <= limit)
                .sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::name))
                .limit(max).map(Scored::name).toList();
    }

    /** Levenshtein distance (insertions, deletions, substitutions). */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
