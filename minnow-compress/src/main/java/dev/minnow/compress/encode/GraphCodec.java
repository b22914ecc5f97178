package dev.minnow.compress.encode;

import dev.minnow.graph.Graph;
import java.util.function.Function;

/**
 * Turns a graph's structure into bytes and back. The .mnz keeps the graph in this form (ONNX in
 * practice: {@code new GraphCodec(Onnx::toBytes, Onnx::fromBytes)}); it is passed in because
 * minnow-compress sits beside minnow-onnx, not above it (ARCHITECTURE.md).
 */
public record GraphCodec(Function<Graph, byte[]> writer, Function<byte[], Graph> reader) {
}
