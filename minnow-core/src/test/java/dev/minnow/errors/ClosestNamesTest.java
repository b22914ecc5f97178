package dev.minnow.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpRegistry;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClosestNamesTest {
    @Test
    void distanceMatchesTheDefinitionOnSmallCases() {
        assertEquals(0, ClosestNames.distance("conv", "conv"));
        assertEquals(3, ClosestNames.distance("kitten", "sitting"));
        assertEquals(4, ClosestNames.distance("", "relu"));
        assertEquals(1, ClosestNames.distance("relu", "rellu"));
    }

    @Test
    void distanceIsSymmetricAndBoundedByTheLongerLength() {
        Random r = new Random(3);
        for (int t = 0; t < 200; t++) {
            String a = random(r);
            String b = random(r);
            int d = ClosestNames.distance(a, b);
            assertEquals(d, ClosestNames.distance(b, a));
            assertTrue(d >= Math.abs(a.length() - b.length()) && d <= Math.max(a.length(), b.length()), a + " " + b);
        }
    }

    @Test
    void nearestFirstAndNothingFarFetched() {
        List<String> known = List.of("Conv", "ConvTranspose", "Relu", "LeakyRelu", "Softmax", "Softsign");
        assertEquals(List.of("Conv"), ClosestNames.of("conv", known, 3));
        assertEquals("Softmax", ClosestNames.of("SoftMax", known, 3).getFirst());
        assertEquals(List.of(), ClosestNames.of("NonMaxSuppression", known, 3));
    }

    @Test
    void unknownOpMessageIsShortAndPointsToTheSupportTable() {
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class,
                () -> OpRegistry.global().create("Rellu", new Attributes()));
        String msg = e.getMessage();
        assertTrue(msg.contains("'Rellu'") && msg.contains("closest supported: Relu"), msg);
        assertTrue(msg.contains("docs/ONNX_SUPPORT.md"), msg);
        assertTrue(msg.length() < 300, "no list of every op: " + msg);
    }

    private static String random(Random r) {
        char[] c = new char[r.nextInt(8)];
        for (int i = 0; i < c.length; i++) {
            c[i] = (char) ('a' + r.nextInt(3));
        }
        return new String(c);
    }
}
