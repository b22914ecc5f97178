package dev.minnow.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.UnsupportedOpException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry is keyed by (domain, op type); nodes take their op's domain. */
class OpRegistryTest {
    @Test
    void domainsAreSeparate() {
        OpRegistry r = OpRegistry.global();
        assertTrue(r.supports(OpRegistry.MINNOW_DOMAIN, "FakeQuantize"));
        assertFalse(r.supports("FakeQuantize"), "FakeQuantize is not an ONNX op");
        assertTrue(r.supports("ai.onnx", "Conv"), "ai.onnx is the default domain");
        assertTrue(r.supportedTypes(OpRegistry.MINNOW_DOMAIN).contains("FakeQuantize"));
        assertFalse(r.supportedTypes().contains("FakeQuantize"));
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> r.create("FakeQuantize", new Attributes()));
        assertTrue(e.getMessage().contains("'FakeQuantize'"), e.getMessage());
        UnsupportedOpException f = assertThrows(UnsupportedOpException.class,
                () -> r.create(OpRegistry.MINNOW_DOMAIN, "Conv", new Attributes()));
        assertTrue(f.getMessage().contains("dev.minnow") && f.getMessage().contains("FakeQuantize"), f.getMessage());
    }

    @Test
    void aTestCanRegisterItsOwnDomain() {
        OpRegistry r = new OpRegistry();
        r.register("test.domain", "Twice", a -> OpRegistry.global().create(OpRegistry.MINNOW_DOMAIN, "FakeQuantize", a));
        assertTrue(r.supports("test.domain", "Twice"));
        assertFalse(r.supports("Twice"));
        assertEquals("FakeQuantize", r.create("test.domain", "Twice", new Attributes()).type());
    }

    @Test
    void nodesTakeTheirOpsDomain() {
        Op fq = OpRegistry.global().create(OpRegistry.MINNOW_DOMAIN, "FakeQuantize", new Attributes());
        assertEquals(OpRegistry.MINNOW_DOMAIN, fq.domain());
        assertEquals(OpRegistry.MINNOW_DOMAIN, new Node("fq", fq, List.of("x", "s"), List.of("y")).domain());
        Node relu = new Node("r", OpRegistry.global().create("Relu", new Attributes()), List.of("x"), List.of("y"));
        assertEquals("", relu.domain());
        assertEquals(OpRegistry.MINNOW_DOMAIN, relu.withOp(fq).domain(), "a new kind of op brings its domain");
        assertEquals("", new Node("n", "ai.onnx", relu.op(), List.of("x"), List.of("y")).domain());
    }
}
