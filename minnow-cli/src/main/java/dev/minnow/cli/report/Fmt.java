package dev.minnow.cli.report;

import java.util.Locale;
import java.util.Map;

/** Escaping and human formatting of the report's numbers; "–" stands for a missing value. */
final class Fmt {
    static final String MISSING = "–";

    private Fmt() {
    }

    /** Escapes text for HTML element content and attribute values (names can hold {@code < & " '}). */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    // control characters other than tab/newline are not allowed in HTML text
                    if (c < 0x20 && c != '\t' && c != '\n') {
                        b.append(' ');
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** Top-1 as a fraction in [0, 1], shown as a percentage. */
    static String top1(Double fraction) {
        return fraction == null ? MISSING : String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }

    /** A change of top-1 in percentage points, signed. */
    static String points(Double before, Double after) {
        if (before == null || after == null) {
            return MISSING;
        }
        return String.format(Locale.ROOT, "%+.2f points", 100 * (after - before));
    }

    static String bytes(Double b) {
        if (b == null) {
            return MISSING;
        }
        double a = Math.abs(b);
        if (a >= 1e9) {
            return String.format(Locale.ROOT, "%.2f GB", b / 1e9);
        } else if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.2f MB", b / 1e6);
        } else if (a >= 1e3) {
            return String.format(Locale.ROOT, "%.1f kB", b / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f B", b);
    }

    /** Counts such as MACs and parameters with an SI suffix. */
    static String count(Double n) {
        if (n == null) {
            return MISSING;
        }
        double a = Math.abs(n);
        if (a >= 1e9) {
            return String.format(Locale.ROOT, "%.2f G", n / 1e9);
        } else if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M", n / 1e6);
        } else if (a >= 1e3) {
            return String.format(Locale.ROOT, "%.1f k", n / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", n);
    }

    static String ms(Double ms) {
        if (ms == null) {
            return MISSING;
        }
        return ms >= 100 ? String.format(Locale.ROOT, "%.0f ms", ms)
                : ms >= 1 ? String.format(Locale.ROOT, "%.2f ms", ms) : String.format(Locale.ROOT, "%.3f ms", ms);
    }

    /** Energy given in picojoules, shown in the unit that keeps 1 to 3 digits before the point. */
    static String energyPj(Double pj) {
        if (pj == null) {
            return MISSING;
        }
        double a = Math.abs(pj);
        if (a >= 1e12) {
            return String.format(Locale.ROOT, "%.2f J", pj / 1e12);
        } else if (a >= 1e9) {
            return String.format(Locale.ROOT, "%.2f mJ", pj / 1e9);
        } else if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.2f µJ", pj / 1e6);
        } else if (a >= 1e3) {
            return String.format(Locale.ROOT, "%.2f nJ", pj / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f pJ", pj);
    }

    static String fraction(Double f) {
        return f == null ? MISSING : String.format(Locale.ROOT, "%.1f%%", 100 * f);
    }

    static String seconds(Double s) {
        return s == null ? MISSING : s >= 100 ? String.format(Locale.ROOT, "%.0f s", s)
                : String.format(Locale.ROOT, "%.1f s", s);
    }

    /**
     * before/after as "12.3x smaller" (or "1.2x larger"); the words say which way is better
     * for the metric, e.g. ("smaller", "larger") for size.
     */
    static String ratio(Double before, Double after, String better, String worse) {
        if (before == null || after == null || before <= 0 || after <= 0) {
            return MISSING;
        }
        double r = before / after;
        if (Math.abs(r - 1) < 0.005) {
            return "unchanged";
        }
        return r > 1 ? String.format(Locale.ROOT, "%.2fx %s", r, better)
                : String.format(Locale.ROOT, "%.2fx %s", 1 / r, worse);
    }

    /** A short, escaped, one-line rendering of a settings or record value (maps nest with braces). */
    static String compact(Object v) {
        StringBuilder b = new StringBuilder();
        compact(b, v, 0);
        // a record can hold whole per-layer tables; the page shows the start, report.json has all
        return b.length() <= COMPACT_CHARS ? b.toString() : b.substring(0, COMPACT_CHARS) + " … (see report.json)";
    }

    private static final int COMPACT_CHARS = 600;

    private static void compact(StringBuilder b, Object v, int depth) {
        switch (v) {
            case null -> b.append("null");
            case Map<?, ?> m -> {
                if (depth > 0) {
                    b.append('{');
                }
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    b.append(first ? "" : depth > 0 ? ", " : "; ");
                    first = false;
                    b.append(String.valueOf(e.getKey())).append('=');
                    compact(b, e.getValue(), depth + 1);
                }
                if (depth > 0) {
                    b.append('}');
                }
            }
            case java.util.List<?> l -> {
                b.append('[');
                int shown = Math.min(l.size(), 12);
                for (int i = 0; i < shown; i++) {
                    b.append(i == 0 ? "" : ", ");
                    compact(b, l.get(i), depth + 1);
                }
                if (l.size() > shown) {
                    b.append(", … ").append(l.size() - shown).append(" more");
                }
                b.append(']');
            }
            case Double d -> b.append(number(d));
            case Float f -> b.append(number(f.doubleValue()));
            default -> b.append(v);
        }
    }

    static String number(double d) {
        if (!Double.isFinite(d)) {
            return String.valueOf(d);
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return new java.math.BigDecimal(d).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
