package dev.minnow.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/ZOO.md's table lists every zoo model with the params and MACs the code builds. */
class ZooDocTest {
    @Test
    void tableMatchesTheModels() throws IOException {
        Path doc = Path.of("..", "docs", "ZOO.md");
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(doc)) {
            String[] cells = line.split("\\|");
            if (cells.length < 7 || !Zoo.names().contains(cells[1].strip())) {
                continue;
            }
            String name = cells[1].strip();
            names.add(name);
            Graph g = Zoo.build(name, 1);
            var in = g.inputs().get(0).type().shape();
            assertEquals(in.dim(1) + "x" + in.dim(2) + "x" + in.dim(3), cells[2].strip(), name);
            assertEquals(g.type("logits").shape().dim(1), Integer.parseInt(cells[3].strip()), name);
            GraphSummary s = GraphSummary.of(g);
            assertEquals(s.params(), Long.parseLong(cells[4].strip().replace(",", "")), name + " params");
            assertEquals(s.macs(), Long.parseLong(cells[5].strip().replace(",", "")), name + " MACs");
        }
        assertEquals(Zoo.names(), names, "docs/ZOO.md lists every model once, in Zoo.names() order");
    }
}
