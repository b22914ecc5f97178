package dev.minnow.cli.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The accuracy-versus-cost Pareto front: the tried models no other model beats on both. */
final class Pareto {
    private Pareto() {
    }

    /** One tried model: a cost (bytes or ms, lower is better) and top-1 (higher is better). */
    record Point(String label, double cost, double top1) {
    }

    /**
     * The non-dominated points, cheapest first. A point is dominated when another costs no more
     * and is at least as accurate, and is strictly better in one of the two; of exact ties the
     * first given is kept.
     */
    static List<Point> front(List<Point> points) {
        List<Point> sorted = new ArrayList<>();
        for (Point p : points) {
            if (Double.isFinite(p.cost()) && Double.isFinite(p.top1())) {
                sorted.add(p);
            }
        }
        // stable sort: cheapest first, the most accurate first among equal costs
        sorted.sort(Comparator.comparingDouble(Point::cost).thenComparing(Comparator.comparingDouble(Point::top1).reversed()));
        List<Point> front = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (Point p : sorted) {
            if (p.top1() > best) {
                front.add(p);
                best = p.top1();
            }
        }
        return front;
    }
}
