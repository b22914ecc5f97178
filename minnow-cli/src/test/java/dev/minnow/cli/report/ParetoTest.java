package dev.minnow.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ParetoTest {
    @Test
    void frontOfAHandMadeSetIsTheCheapestAtEachAccuracyStep() {
        List<Pareto.Point> pts = List.of(new Pareto.Point("a", 10, 0.90), new Pareto.Point("b", 20, 0.95),
                new Pareto.Point("c", 15, 0.89), new Pareto.Point("d", 30, 0.95), new Pareto.Point("e", 5, 0.80),
                new Pareto.Point("f", 20, 0.96), new Pareto.Point("nan", Double.NaN, 0.99));
        assertEquals(List.of("e", "a", "f"), Pareto.front(pts).stream().map(Pareto.Point::label).toList());
    }

    /** Against the definition: a point is on the front exactly when no other point dominates it. */
    @Test
    void frontMatchesTheDominanceDefinitionOnRandomSets() {
        Random rnd = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            List<Pareto.Point> pts = new ArrayList<>();
            int n = 1 + rnd.nextInt(25);
            for (int i = 0; i < n; i++) {
                // coarse values so ties happen
                pts.add(new Pareto.Point("p" + i, rnd.nextInt(8), rnd.nextInt(8) / 8.0));
            }
            List<Pareto.Point> front = Pareto.front(pts);
            for (Pareto.Point p : pts) {
                boolean dominated = false;
                boolean tiedEarlier = false;
                for (Pareto.Point q : pts) {
                    if (q != p && q.cost() <= p.cost() && q.top1() >= p.top1()
                            && (q.cost() < p.cost() || q.top1() > p.top1())) {
                        dominated = true;
                    }
                    if (q.cost() == p.cost() && q.top1() == p.top1() && pts.indexOf(q) < pts.indexOf(p)) {
                        tiedEarlier = true;
                    }
                }
                assertEquals(!dominated && !tiedEarlier, front.contains(p), p + " in " + pts);
            }
            for (int i = 1; i < front.size(); i++) {
                assertEquals(true, front.get(i).cost() > front.get(i - 1).cost(), "cheapest first: " + front);
            }
        }
    }
}
