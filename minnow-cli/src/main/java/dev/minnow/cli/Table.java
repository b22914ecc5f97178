package dev.minnow.cli;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with right-aligned numeric columns, for the human output of commands. */
final class Table {
    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
        this.header = header;
    }

    Table row(Object... cells) {
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = String.valueOf(cells[i]);
        }
        rows.add(r);
        return this;
    }

    String render() {
        int[] w = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            w[i] = header[i].length();
        }
        for (String[] r : rows) {
            for (int i = 0; i < r.length && i < w.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        line(b, header, w);
        for (int i = 0; i < w.length; i++) {
            b.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
        }
        b.append('\n');
        for (String[] r : rows) {
            line(b, r, w);
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String[] cells, int[] w) {
        for (int i = 0; i < w.length; i++) {
            String c = i < cells.length ? cells[i] : "";
            boolean numeric = c.matches("[-+]?[0-9][0-9,.]*%?[a-zA-Z/]*");
            String pad = " ".repeat(w[i] - c.length());
            b.append(i == 0 ? "" : "  ").append(numeric && i > 0 ? pad + c : c + pad);
        }
        b.append('\n');
    }

    static String count(long n) {
        return String.format("%,d", n);
    }

    static String percent(double fraction) {
        return String.format("%.2f%%", 100 * fraction);
    }
}
