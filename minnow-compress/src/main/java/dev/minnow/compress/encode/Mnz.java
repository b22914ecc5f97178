package dev.minnow.compress.encode;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.io.AtomicFiles;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The .mnz container (Deep Compression's output): the graph's structure plus every float32
 * initializer in its smallest sparse format and value coding. This class owns the byte layout;
 * see docs/DEEP_COMPRESSION.md. All integers are big-endian.
 *
 * <pre>
 * file
 * +--------+---------+----------+-----------------+-----------------+-----+-----------------+
 * | magic  | version | CRC32 of | section (graph) | section (layer) | ... | section (end)   |
 * | MNZ^Z  | u16 = 2 | bytes 0-5| exactly one     | one or more     |     | exactly one     |
 * +--------+---------+----------+-----------------+-----------------+-----+-----------------+
 *  0        4         6          10
 *
 * section
 * +------+-----------+-------------------+------------------------------------+
 * | kind | length L  | payload (L bytes) | CRC32 of kind, length and payload  |
 * | u8   | u32       |                   | u32                                |
 * +------+-----------+-------------------+------------------------------------+
 *  kind 1 = graph: the model's bytes from the GraphCodec (ONNX) with every encoded
 *                  initializer turned into a graph input of the same name and type,
 *                  raw DEFLATE-compressed (RFC 1951)
 *  kind 2 = layer: one encoded initializer, below
 *  kind 3 = end:   u32 number of layer sections (a file cut at a section boundary is caught)
 *
 * layer payload (offsets from its start; N = name bytes, R = rank)
 * +-------+--------+-------+------+----------+--------+-------+
 * | u16 N | name   | dtype | rank | dims     | format | param |
 * |       | N B    | u8=1  | u8 R | R x u32  | u8     | u8    |
 * +-------+--------+-------+------+----------+--------+-------+
 *  0       2        2+N     3+N    4+N        4+N+4R   5+N+4R
 * +--------+---------+---------+--------+---------+---------+
 * | stored | index   | index   | coding | value   | values  |
 * | u32 S  | u32 I   | I bytes | u8     | u32 V   | V bytes |
 * +--------+---------+---------+--------+---------+---------+
 *  6+N+4R   10+N+4R   14+N+4R   14+N+4R+I  15+N+4R+I  19+N+4R+I
 *  format: 0 dense, 1 bitmask, 2 CSR, 3 CSC, 4 relative index, 5 relative index Huffman
 *          (param = gap bits k); index bytes as the format class writes them
 *  coding: 0 float32, 1 float16, 2 codebook, 3 codebook + Huffman, 4 and 5 the same with a packed
 *          codebook (layout in ValueCoding)
 * </pre>
 *
 * Reading checks the preamble and every section's length and CRC32 before it uses any of them,
 * then checks each layer against the graph (same name, dtype and shape as the input it fills).
 */
public final class Mnz {
    /**
     * 2: the graph section is deflated (its metadata and names shrink by half) and Huffman tables
     * code each length as a change from the previous one. Version 1 files (an unreleased draft)
     * are refused with a hint to encode again.
     */
    public static final int VERSION = 2;
    static final byte[] MAGIC = {'M', 'N', 'Z', 0x1A};
    static final int PREAMBLE_BYTES = 10;
    static final int KIND_GRAPH = 1;
    static final int KIND_LAYER = 2;
    static final int KIND_END = 3;
    /** kind + length + CRC32. */
    static final int SECTION_FRAME_BYTES = 9;
    private static final int DTYPE_FLOAT32 = 1;

    private Mnz() {
    }

    /** What the encoding gave: sizes of the dense model and of the file, and each layer's bytes. */
    public record Report(long sizeBytesBefore, long sizeBytesAfter, long graphSectionBytes, long containerBytes,
                         List<LayerReport> layers) {
        public double ratio() {
            return (double) sizeBytesBefore / sizeBytesAfter;
        }
    }

    public record Encoded(byte[] bytes, Report report) {
    }

    /** A section's kind and where its payload lies in the file (after the checks). */
    record Section(int kind, int offset, int length) {
    }

    /**
     * Encodes every float32 initializer of {@code graph} (the graph is not changed). {@code float16}
     * rounds values to half precision (lossy); otherwise decoding gives the weights bit for bit.
     */
    public static Encoded encode(Graph graph, GraphCodec codec, boolean float16) {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (String name : encodable(graph)) {
            weights.put(name, graph.initializers().get(name));
        }
        if (weights.isEmpty()) {
            throw new InvalidInputException("model '" + graph.name() + "' has no float32 weights to encode"
                    + " (initializers: " + graph.initializers().size() + "; only float32 tensors that nodes read as"
                    + " weights, biases or statistics are encoded)");
        }
        Graph structure = graph.copy();
        List<Value> inputs = new ArrayList<>(structure.inputs());
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            structure.initializers().remove(e.getKey());
            inputs.add(new Value(e.getKey(), new TensorType(DType.FLOAT32, e.getValue().shape())));
        }
        structure.setInputs(inputs);
        byte[] graphBytes = codec.writer().apply(structure);

        ByteArrayOutputStream file = new ByteArrayOutputStream();
        List<LayerReport> reports = new ArrayList<>();
        try {
            DataOutputStream out = new DataOutputStream(file);
            out.write(MAGIC);
            out.writeShort(VERSION);
            out.writeInt(crc(file.toByteArray(), 0, 6));
            graphBytes = deflate(graphBytes);
            section(out, KIND_GRAPH, graphBytes);
            for (Map.Entry<String, Tensor> e : weights.entrySet()) {
                EncodedLayer layer = LayerEncoder.encode(e.getKey(), e.getValue(), float16);
                byte[] payload = layerPayload(layer);
                section(out, KIND_LAYER, payload);
                reports.add(report(layer, SparseFormat.nonZeroCount(e.getValue().floats()),
                        payload.length + SECTION_FRAME_BYTES));
            }
            section(out, KIND_END, ByteBuffer.allocate(4).putInt(weights.size()).array());
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        byte[] bytes = file.toByteArray();
        long before = 4 * graph.paramCount();
        long graphSection = graphBytes.length + SECTION_FRAME_BYTES;
        long container = PREAMBLE_BYTES + SECTION_FRAME_BYTES + 4;
        return new Encoded(bytes, new Report(before, bytes.length, graphSection, container, List.copyOf(reports)));
    }

    /**
     * The initializers that become layer sections, in initializer order: float32, not empty, read
     * by some node and only in weight, bias or statistic slots. The rest stay in the graph section
     * as they are: a setting (Resize scales, Clip bounds) may be needed as a constant when the
     * graph is read back, and an initializer that is also a graph input is a default the caller
     * may override.
     */
    static List<String> encodable(Graph graph) {
        java.util.Set<String> inputNames = new java.util.HashSet<>();
        graph.inputs().forEach(v -> inputNames.add(v.name()));
        java.util.Set<String> read = new java.util.HashSet<>();
        java.util.Set<String> excluded = new java.util.HashSet<>(inputNames);
        for (dev.minnow.graph.Node n : graph.nodes()) {
            for (int i = 0; i < n.inputs().size(); i++) {
                String v = n.input(i);
                if (!graph.initializers().containsKey(v)) {
                    continue;
                }
                read.add(v);
                dev.minnow.graph.InputRole role = dev.minnow.graph.InputRole.of(graph, n, i);
                if (!role.isParameter() && role != dev.minnow.graph.InputRole.STATISTIC) {
                    excluded.add(v);
                }
            }
        }
        List<String> r = new ArrayList<>();
        graph.initializers().forEach((k, t) -> {
            if (t.dtype() == DType.FLOAT32 && t.size() > 0 && read.contains(k) && !excluded.contains(k)) {
                r.add(k);
            }
        });
        return r;
    }

    /** Encodes and writes atomically (a temporary file renamed over the target). */
    public static Report write(Graph graph, Path file, GraphCodec codec, boolean float16) {
        Encoded e = encode(graph, codec, float16);
        try {
            AtomicFiles.write(file, e.bytes());
        } catch (IOException ex) {
            throw new InvalidInputException("cannot write " + file + ": " + ex.getMessage(), ex);
        }
        return e.report();
    }

    public static Graph read(Path file, GraphCodec codec) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 8) {
                throw new InvalidInputException(file + " is " + size + " bytes; .mnz files are limited to 2 GB");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return decode(bytes, codec, file.toString());
    }

    /** The graph with every encoded initializer put back; {@code source} names the file in messages. */
    public static Graph decode(byte[] bytes, GraphCodec codec, String source) {
        List<Section> sections = sections(bytes, source);
        Section graphSection = sections.get(0);
        byte[] graphBytes = Arrays.copyOfRange(bytes, graphSection.offset(), graphSection.offset() + graphSection.length());
        Graph g = codec.reader().apply(inflate(graphBytes, source));
        Map<String, Value> inputs = new LinkedHashMap<>();
        for (Value v : g.inputs()) {
            inputs.put(v.name(), v);
        }
        for (int i = 1; i < sections.size() - 1; i++) {
            Section s = sections.get(i);
            String where = source + ", section " + i;
            Map.Entry<String, Tensor> layer = readLayer(ByteBuffer.wrap(bytes, s.offset(), s.length()).slice(),
                    where, inputs);
            inputs.remove(layer.getKey());
            g.addInitializer(layer.getKey(), layer.getValue());
        }
        g.setInputs(new ArrayList<>(inputs.values()));
        g.validate();
        return g;
    }

    private static void section(DataOutputStream out, int kind, byte[] payload) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(5).put((byte) kind).putInt(payload.length);
        CRC32 crc = new CRC32();
        crc.update(head.array());
        crc.update(payload);
        out.write(head.array());
        out.write(payload);
        out.writeInt((int) crc.getValue());
    }

    private static byte[] layerPayload(EncodedLayer layer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        byte[] name = layer.name().getBytes(StandardCharsets.UTF_8);
        if (name.length > 0xFFFF || layer.shape().rank() > 0xFF) {
            throw new InvalidInputException("initializer '" + layer.name() + "' has a name above 65535 bytes or a rank"
                    + " above 255; the .mnz format cannot hold it");
        }
        out.writeShort(name.length);
        out.write(name);
        out.writeByte(DTYPE_FLOAT32);
        out.writeByte(layer.shape().rank());
        for (int d : layer.shape().dims()) {
            out.writeInt(d);
        }
        out.writeByte(layer.format().id());
        out.writeByte(layer.format().parameter());
        out.writeInt(layer.storedCount());
        out.writeInt(layer.indexBytes().length);
        out.write(layer.indexBytes());
        out.writeByte(layer.values().coding().id());
        out.writeInt(layer.values().bytes().length);
        out.write(layer.values().bytes());
        out.flush();
        return bytes.toByteArray();
    }

    private static LayerReport report(EncodedLayer layer, long nonZeros, long sectionBytes) {
        ValueCoding.Encoded v = layer.values();
        long index = layer.indexBytes().length;
        long codebook = v.codebookBytes();
        long values = v.bytes().length - codebook;
        long indexTable = layer.format() instanceof RelativeIndex r && r.huffman()
                ? (Huffman.ALPHABET_BITS + Huffman.LENGTH_BITS * (1L << r.gapBits()) + 7) / 8 : 0;
        List<Integer> shape = Arrays.stream(layer.shape().dims()).boxed().toList();
        long saved = layer.bytesWithoutHuffman() == Long.MAX_VALUE ? 0 : layer.bytesWithoutHuffman() - layer.dataBytes();
        return new LayerReport(layer.name(), shape, layer.format().label(), v.coding().name().toLowerCase(),
                layer.shape().size(), nonZeros, layer.storedCount(), sectionBytes - index - v.bytes().length, index,
                codebook, values, indexTable + v.huffmanTableBytes(), saved);
    }

    /** Checks the preamble and every section's framing and CRC32; the graph first, layers, the end last. */
    static List<Section> sections(byte[] bytes, String source) {
        if (bytes.length < PREAMBLE_BYTES || !Arrays.equals(bytes, 0, 4, MAGIC, 0, 4)) {
            throw new InvalidInputException(source + " is not a .mnz file (it does not start with the .mnz magic"
                    + " number 4D 4E 5A 1A" + (bytes.length < PREAMBLE_BYTES ? ", and is only " + bytes.length
                    + " bytes" : "") + ")");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int version = Short.toUnsignedInt(in.getShort(4));
        if (in.getInt(6) != crc(bytes, 0, 6)) {
            throw new InvalidInputException(source + ": the header's checksum does not match; the file is corrupt");
        }
        if (version > VERSION) {
            throw new InvalidInputException(source + " is .mnz format version " + version + ", written by a newer"
                    + " Minnow; this Minnow reads version " + VERSION + " and older: upgrade Minnow to read it");
        }
        if (version == 1) {
            throw new InvalidInputException(source + " is .mnz format version 1, an earlier draft this Minnow no longer"
                    + " reads (version " + VERSION + " changed the graph section and Huffman tables): run `minnow encode`"
                    + " on the original model again");
        }
        if (version < 1) {
            throw new InvalidInputException(source + " says .mnz format version " + version + ", which never existed;"
                    + " the file is corrupt");
        }
        List<Section> sections = new ArrayList<>();
        int pos = PREAMBLE_BYTES;
        while (true) {
            int index = sections.size();
            if (bytes.length - pos < SECTION_FRAME_BYTES) {
                throw new InvalidInputException(source + " is truncated: it ends after " + index + " sections without"
                        + " the end section (" + bytes.length + " bytes)");
            }
            int kind = bytes[pos] & 0xFF;
            long length = Integer.toUnsignedLong(in.getInt(pos + 1));
            if (length > bytes.length - pos - SECTION_FRAME_BYTES) {
                throw new InvalidInputException(source + " is truncated or corrupt: section " + index + " says "
                        + length + " bytes but only " + (bytes.length - pos - SECTION_FRAME_BYTES) + " follow");
            }
            int end = pos + 5 + (int) length;
            if (in.getInt(end) != crc(bytes, pos, 5 + (int) length)) {
                throw new InvalidInputException(source + ": section " + index + " (" + kindName(kind) + ", "
                        + length + " bytes at offset " + pos + ") fails its CRC32 check; the file is corrupt");
            }
            int expected = index == 0 ? KIND_GRAPH : -1;
            if ((expected > 0 && kind != expected) || (index > 0 && kind != KIND_LAYER && kind != KIND_END)) {
                throw new InvalidInputException(source + ": section " + index + " is " + kindName(kind)
                        + (index == 0 ? " where the graph must come first" : ", expected a layer or the end")
                        + "; the file is corrupt");
            }
            sections.add(new Section(kind, pos + 5, (int) length));
            pos = end + 4;
            if (kind == KIND_END) {
                break;
            }
        }
        Section last = sections.get(sections.size() - 1);
        int layers = sections.size() - 2;
        if (last.length() != 4 || in.getInt(last.offset()) != layers || layers == 0) {
            throw new InvalidInputException(source + ": the end section does not match the " + layers
                    + " layer sections read; the file is corrupt");
        }
        if (pos != bytes.length) {
            throw new InvalidInputException(source + " has " + (bytes.length - pos) + " bytes after its end section;"
                    + " the file is corrupt");
        }
        return sections;
    }

    private static String kindName(int kind) {
        return switch (kind) {
            case KIND_GRAPH -> "graph";
            case KIND_LAYER -> "layer";
            case KIND_END -> "end";
            default -> "unknown kind " + kind;
        };
    }

    private static Map.Entry<String, Tensor> readLayer(ByteBuffer in, String where, Map<String, Value> inputs) {
        try {
            byte[] nameBytes = new byte[Short.toUnsignedInt(in.getShort())];
            in.get(nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            String what = where + " (layer '" + name + "')";
            int dtype = in.get() & 0xFF;
            if (dtype != DTYPE_FLOAT32) {
                throw new InvalidInputException(what + " has dtype " + dtype + "; this Minnow reads only float32 (1)");
            }
            int rank = in.get() & 0xFF;
            int[] dims = new int[rank];
            for (int i = 0; i < rank; i++) {
                dims[i] = in.getInt();
            }
            Shape shape = Shape.of(dims);
            Value input = inputs.get(name);
            if (input == null || input.type() == null || !shape.equals(input.type().shape())
                    || input.type().dtype() != DType.FLOAT32) {
                throw new InvalidInputException(what + " of shape " + shape + " has no float32 graph input of that"
                        + " name and shape to fill; the file is corrupt");
            }
            SparseFormat format = SparseFormat.byId(in.get() & 0xFF, in.get() & 0xFF);
            int stored = in.getInt();
            int elements = shape.sizeInt();
            if (stored < 0 || stored > elements) {
                throw new InvalidInputException(what + " stores " + stored + " values for " + elements
                        + " elements; the file is corrupt");
            }
            byte[] index = new byte[in.getInt()];
            in.get(index);
            ValueCoding coding = ValueCoding.byId(in.get() & 0xFF);
            byte[] values = new byte[in.getInt()];
            in.get(values);
            if (in.hasRemaining()) {
                throw new InvalidInputException(what + " has " + in.remaining() + " bytes after its values; the file"
                        + " is corrupt");
            }
            int rows = LayerEncoder.rows(shape);
            int[] positions = format.decode(index, rows, elements / Math.max(rows, 1), stored);
            float[] v = coding.decode(values, stored, what);
            float[] w = new float[elements];
            for (int i = 0; i < stored; i++) {
                w[positions[i]] = v[i];
            }
            return Map.entry(name, Tensor.wrap(DType.FLOAT32, shape, w));
        } catch (BufferUnderflowException | NegativeArraySizeException e) {
            throw new InvalidInputException(where + ": the layer's data ends early; the file is corrupt", e);
        }
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    private static byte[] deflate(byte[] raw) {
        java.util.zip.Deflater d = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_COMPRESSION, true);
        try {
            d.setInput(raw);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (!d.finished()) {
                out.write(buf, 0, d.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    /** The graph section's bytes; the section passed its CRC, so a failure here means a bad writer. */
    private static byte[] inflate(byte[] deflated, String source) {
        java.util.zip.Inflater in = new java.util.zip.Inflater(true);
        try {
            in.setInput(deflated);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (!in.finished()) {
                int n = in.inflate(buf);
                if (n == 0 && (in.needsInput() || in.needsDictionary())) {
                    throw new InvalidInputException(source + ": the graph section ends inside its compressed data;"
                            + " the file is corrupt");
                }
                out.write(buf, 0, n);
            }
            if (in.getRemaining() > 0) {
                throw new InvalidInputException(source + ": " + in.getRemaining() + " bytes follow the graph section's"
                        + " compressed data; the file is corrupt");
            }
            return out.toByteArray();
        } catch (java.util.zip.DataFormatException e) {
            throw new InvalidInputException(source + ": the graph section's compressed data is invalid (" + e.getMessage()
                    + "); the file is corrupt", e);
        } finally {
            in.end();
        }
    }
}
