package dev.minnow.cli.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** The summary at the top: each metric before and after with its ratio, and the goal in words. */
final class Headline {
    private Headline() {
    }

    private record Metric(String label, String key, Function<Double, String> fmt, String better, String worse) {
    }

    private static final List<Metric> METRICS = List.of(
            new Metric("size", "size_bytes", Fmt::bytes, "smaller", "larger"),
            new Metric("parameters", "params", Fmt::count, "fewer", "more"),
            new Metric("MACs per input", "macs", Fmt::count, "fewer", "more"),
            new Metric("latency", "latency_ms", Fmt::ms, "faster", "slower"),
            new Metric("energy per input (estimated)", "energy_pj", Fmt::energyPj, "less", "more"));

    static void append(StringBuilder b, Map<String, Object> r) {
        b.append("<section id=\"summary\"><h2>Summary</h2>\n");
        Double t0 = Values.num(r, "top1_before");
        Double t1 = Values.num(r, "top1_after");
        Double s0 = Values.num(r, "size_bytes_before");
        Double s1 = Values.num(r, "size_bytes_after");
        if (t1 != null || s1 != null) {
            b.append("<p class=\"verdict\">");
            List<String> parts = new ArrayList<>();
            if (s0 != null && s1 != null && s1 > 0) {
                parts.add(String.format(Locale.ROOT, "<b>%.1fx smaller</b> (%s → %s)", s0 / s1, Fmt.bytes(s0),
                        Fmt.bytes(s1)));
            }
            if (t1 != null) {
                parts.add("top-1 <b>" + Fmt.top1(t1) + "</b>" + (t0 == null ? "" : " (was " + Fmt.top1(t0) + ", "
                        + Fmt.points(t0, t1) + ")"));
            }
            b.append(String.join(", ", parts)).append(".</p>\n");
        }
        b.append("<table><tr><th class=\"l\">metric</th><th>before</th><th>after</th><th>change</th></tr>\n");
        b.append("<tr><td class=\"l\">top-1 accuracy</td><td>").append(Fmt.top1(t0)).append("</td><td>")
                .append(Fmt.top1(t1)).append("</td><td>").append(Fmt.points(t0, t1)).append("</td></tr>\n");
        for (Metric m : METRICS) {
            Double before = Values.num(r, m.key() + "_before");
            Double after = Values.num(r, m.key() + "_after");
            b.append("<tr><td class=\"l\">").append(m.label()).append("</td><td>").append(m.fmt().apply(before))
                    .append("</td><td>").append(m.fmt().apply(after)).append("</td><td>")
                    .append(Fmt.ratio(before, after, m.better(), m.worse())).append("</td></tr>\n");
        }
        b.append("</table>\n");
        goal(b, r, t0, t1, s1);
        b.append("</section>\n");
    }

    private static void goal(StringBuilder b, Map<String, Object> r, Double t0, Double t1, Double s1) {
        Map<String, Object> goal = Values.map(r, "goal");
        Boolean met = Values.bool(r, "goal_met");
        if (goal == null) {
            b.append("<p>No goal was set: the recipe ran as written.</p>\n");
            return;
        }
        List<String> wants = new ArrayList<>();
        List<String> got = new ArrayList<>();
        Double drop = Values.num(goal, "max_accuracy_drop");
        if (drop != null) {
            wants.add(String.format(Locale.ROOT, "lose at most %.2f points of top-1", 100 * drop));
            if (t0 != null && t1 != null) {
                got.add(String.format(Locale.ROOT, "lost %.2f points", 100 * (t0 - t1)));
            }
        }
        Object size = goal.get("target_size");
        if (size != null) {
            wants.add("size at most " + (Values.num(size) != null ? Fmt.bytes(Values.num(size)) : Fmt.esc(
                    String.valueOf(size))));
            if (s1 != null) {
                got.add("size " + Fmt.bytes(s1));
            }
        }
        Object latency = goal.get("target_latency");
        if (latency != null) {
            wants.add("latency at most " + (Values.num(latency) != null ? Fmt.ms(Values.num(latency)) : Fmt.esc(
                    String.valueOf(latency))));
            Double l1 = Values.num(r, "latency_ms_after");
            if (l1 != null) {
                got.add("latency " + Fmt.ms(l1));
            }
        }
        String want = wants.isEmpty() ? "(no targets given)" : String.join(" and ", wants);
        String result = got.isEmpty() ? "" : " The kept model " + String.join(", ", got) + ".";
        if (Boolean.TRUE.equals(met)) {
            b.append("<p class=\"verdict met\"><b>Goal met.</b> Asked: ").append(want).append('.').append(result)
                    .append("</p>\n");
        } else if (Boolean.FALSE.equals(met)) {
            b.append("<p class=\"verdict unmet\"><b>Goal not met.</b> Asked: ").append(want).append('.')
                    .append(result).append(" The best model found was saved anyway; its numbers are above.</p>\n");
        } else {
            b.append("<p class=\"verdict\">Goal: ").append(want).append(". Whether it was met was not recorded.")
                    .append(result).append("</p>\n");
        }
    }
}
