package dev.minnow.cli.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.elk.alg.layered.options.LayeredOptions;
import org.eclipse.elk.alg.layered.options.WrappingStrategy;
import org.eclipse.elk.core.RecursiveGraphLayoutEngine;
import org.eclipse.elk.core.options.CoreOptions;
import org.eclipse.elk.core.options.Direction;
import org.eclipse.elk.core.options.EdgeRouting;
import org.eclipse.elk.core.util.BasicProgressMonitor;
import org.eclipse.elk.graph.ElkBendPoint;
import org.eclipse.elk.graph.ElkEdge;
import org.eclipse.elk.graph.ElkEdgeSection;
import org.eclipse.elk.graph.ElkNode;
import org.eclipse.elk.graph.util.ElkGraphUtil;

/**
 * The model graph as SVG: Eclipse ELK's layered algorithm places the boxes and routes the edges;
 * this class only draws them, each layer filled by how much it was compressed.
 */
final class GraphDrawing {
    private static final double NODE_HEIGHT = 38;
    private static final double CHAR_WIDTH = 7.2;
    private static final String NO_WEIGHTS = "#eeeeee";

    private GraphDrawing() {
    }

    /** A graph node; compression in [0, 1], or null for an op without weights. */
    record Node(String name, String op, Double compression) {
    }

    record Edge(String from, String to) {
    }

    /** Lays the graph out and returns an {@code <svg>} element (edges to unknown nodes are left out). */
    static String svg(String id, List<Node> nodes, List<Edge> edges) {
        ElkNode root = ElkGraphUtil.createGraph();
        root.setProperty(CoreOptions.ALGORITHM, LayeredOptions.ALGORITHM_ID);
        root.setProperty(CoreOptions.DIRECTION, Direction.RIGHT);
        root.setProperty(CoreOptions.EDGE_ROUTING, EdgeRouting.ORTHOGONAL);
        root.setProperty(LayeredOptions.SPACING_NODE_NODE, 18.0);
        root.setProperty(LayeredOptions.SPACING_NODE_NODE_BETWEEN_LAYERS, 26.0);
        // a long chain (ResNet-20 has ~70 ops) would be one very wide row: wrap it into rows
        root.setProperty(LayeredOptions.WRAPPING_STRATEGY, WrappingStrategy.MULTI_EDGE);
        root.setProperty(CoreOptions.ASPECT_RATIO, 1.6);
        Map<String, ElkNode> elk = new LinkedHashMap<>();
        Map<ElkNode, Node> byElk = new LinkedHashMap<>();
        for (Node n : nodes) {
            if (elk.containsKey(n.name())) {
                continue;
            }
            ElkNode e = ElkGraphUtil.createNode(root);
            int chars = Math.max(n.name().length(), n.op().length() + 2);
            e.setDimensions(Math.min(220, Math.max(60, 16 + CHAR_WIDTH * chars)), NODE_HEIGHT);
            elk.put(n.name(), e);
            byElk.put(e, n);
        }
        for (Edge e : edges) {
            ElkNode from = elk.get(e.from());
            ElkNode to = elk.get(e.to());
            if (from != null && to != null && from != to) {
                ElkGraphUtil.createSimpleEdge(from, to);
            }
        }
        new RecursiveGraphLayoutEngine().layout(root, new BasicProgressMonitor());
        double w = Math.ceil(root.getWidth()) + 4;
        double h = Math.ceil(root.getHeight()) + 4;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"%s\" class=\"graph\" "
                + "width=\"%.0f\" height=\"%.0f\" viewBox=\"-2 -2 %.0f %.0f\" role=\"img\" "
                + "aria-label=\"model graph\">", id, w, h, w, h));
        b.append("<defs><marker id=\"").append(id).append("-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
                + "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">"
                + "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>");
        for (ElkEdge e : root.getContainedEdges()) {
            for (ElkEdgeSection s : e.getSections()) {
                StringBuilder pts = new StringBuilder();
                pts.append(xy(s.getStartX(), s.getStartY()));
                for (ElkBendPoint p : s.getBendPoints()) {
                    pts.append(' ').append(xy(p.getX(), p.getY()));
                }
                pts.append(' ').append(xy(s.getEndX(), s.getEndY()));
                b.append("<polyline points=\"").append(pts).append("\" fill=\"none\" stroke=\"#555\" "
                        + "stroke-width=\"1.2\" marker-end=\"url(#").append(id).append("-arrow)\"/>");
            }
        }
        for (Map.Entry<ElkNode, Node> en : byElk.entrySet()) {
            ElkNode e = en.getKey();
            Node n = en.getValue();
            String fill = n.compression() == null ? NO_WEIGHTS : colour(n.compression());
            String ink = n.compression() != null && n.compression() > 0.55 ? "#ffffff" : "#111111";
            String tip = n.name() + " (" + n.op() + ")" + (n.compression() == null ? ": no weights"
                    : String.format(Locale.ROOT, ": %.1f%% compressed", 100 * n.compression()));
            b.append(String.format(Locale.ROOT, "<g class=\"node\"><title>%s</title>"
                    + "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"5\" fill=\"%s\" stroke=\"#333\"/>",
                    Fmt.esc(tip), e.getX(), e.getY(), e.getWidth(), e.getHeight(), fill));
            double cx = e.getX() + e.getWidth() / 2;
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\" font-size=\"12\" "
                    + "text-anchor=\"middle\">%s</text>", cx, e.getY() + 16, ink, Fmt.esc(shorten(n.name(), 28))));
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\" font-size=\"10\" "
                    + "text-anchor=\"middle\">%s</text></g>", cx, e.getY() + 30, ink, Fmt.esc(shorten(n.op(), 26))));
        }
        b.append("</svg>");
        return b.toString();
    }

    /** The legend: the colour ramp from 0% to 100% compressed, and the colour of ops without weights. */
    static String legend(String id) {
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"").append(id).append("\" class=\"legend\" "
                + "width=\"460\" height=\"54\" viewBox=\"0 0 460 54\" role=\"img\" aria-label=\"colour legend\">");
        b.append("<defs><linearGradient id=\"").append(id).append("-ramp\">");
        for (int i = 0; i <= 10; i++) {
            b.append(String.format(Locale.ROOT, "<stop offset=\"%d%%\" stop-color=\"%s\"/>", i * 10, colour(i / 10.0)));
        }
        b.append("</linearGradient></defs>");
        b.append("<rect x=\"10\" y=\"6\" width=\"260\" height=\"16\" stroke=\"#333\" fill=\"url(#").append(id)
                .append("-ramp)\"/>");
        b.append("<text x=\"10\" y=\"38\" font-size=\"11\">0%</text>"
                + "<text x=\"140\" y=\"38\" font-size=\"11\" text-anchor=\"middle\">50%</text>"
                + "<text x=\"270\" y=\"38\" font-size=\"11\" text-anchor=\"end\">100% compressed</text>");
        b.append("<rect x=\"300\" y=\"6\" width=\"26\" height=\"16\" stroke=\"#333\" fill=\"").append(NO_WEIGHTS)
                .append("\"/><text x=\"332\" y=\"18\" font-size=\"11\">no weights</text>");
        b.append("</svg>");
        return b.toString();
    }

    /** A sequential white-to-dark-blue ramp: compression 0 is near white, 1 is dark blue. */
    static String colour(double compression) {
        double c = Math.max(0, Math.min(1, compression));
        int[][] stops = {{0xf7, 0xfb, 0xff}, {0xc6, 0xdb, 0xef}, {0x6b, 0xae, 0xd6}, {0x21, 0x71, 0xb5},
            {0x08, 0x30, 0x6b}};
        double pos = c * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) pos);
        double t = pos - i;
        int[] rgb = new int[3];
        for (int k = 0; k < 3; k++) {
            rgb[k] = (int) Math.round(stops[i][k] + t * (stops[i + 1][k] - stops[i][k]));
        }
        return String.format("#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
    }

    private static String xy(double x, double y) {
        return String.format(Locale.ROOT, "%.1f,%.1f", x, y);
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
