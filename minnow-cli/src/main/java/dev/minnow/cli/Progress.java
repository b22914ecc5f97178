package dev.minnow.cli;

import java.io.PrintStream;

/**
 * A one-line progress bar on stderr with throughput and ETA. Drawn only on an interactive
 * terminal (or when MINNOW_PROGRESS=1), so logs and pipes stay clean.
 */
final class Progress {
    private final PrintStream out;
    private final boolean enabled;
    private final String label;
    private final long total;
    private final String unit;
    private final long startNanos = System.nanoTime();
    private long lastDrawNanos;

    Progress(String label, long total, String unit) {
        this.out = terminal();
        this.enabled = out != null;
        this.label = label;
        this.total = total;
        this.unit = unit;
    }

    /**
     * The terminal to draw on: stderr when it is one. The launcher filters the JVM's stderr
     * through a pipe, so it tells us with -Dminnow.tty=1 and we draw on /dev/tty directly.
     */
    private static PrintStream terminal() {
        if ("1".equals(System.getProperty("minnow.tty")) || "1".equals(System.getenv("MINNOW_PROGRESS"))) {
            try {
                return new PrintStream(new java.io.FileOutputStream("/dev/tty"), true);
            } catch (java.io.IOException | SecurityException e) {
                return System.err;
            }
        }
        return System.console() != null && System.console().isTerminal() ? System.err : null;
    }

    /** Reports done units so far; redraws at most ten times a second. Extra text goes at the end. */
    void update(long done, String extra) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && now - lastDrawNanos < 100_000_000L) {
            return;
        }
        lastDrawNanos = now;
        double seconds = (now - startNanos) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        double frac = total > 0 ? Math.min(1, (double) done / total) : 0;
        int width = 28;
        int filled = (int) Math.round(frac * width);
        String eta = rate > 0 && done < total ? time((total - done) / rate) : "0s";
        out.printf("\r%s [%s%s] %3.0f%% %,.0f %s/s ETA %s %s\u001b[K", label, "#".repeat(filled),
                ".".repeat(width - filled), 100 * frac, rate, unit, eta, extra == null ? "" : extra);
        out.flush();
    }

    void finish() {
        if (enabled) {
            out.print("\r\u001b[K");
            out.flush();
        }
    }

    static String time(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
