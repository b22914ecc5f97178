package dev.minnow.hw;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.zoo.Zoo;
import org.junit.jupiter.api.Test;

/**
 * Minnow's MAC and parameter counts against the published figures of docs/HARDWARE.md's
 * "Known MACs" table (batch 1, 224 x 224; one MAC = one multiply-accumulate of a conv or dense
 * layer, as torchvision and ptflops count them). Within 2%: the sources round to 3 digits, and
 * AlexNet's 724M (the seed's figure) is the 227-input count of torchvision's layout, 1.4% above
 * the 224-input 714M.
 */
class KnownMacsTest {
    static void check(String model, double macs, double params) {
        CostReport r = CostReport.of(Zoo.build(model, 1));
        assertEquals(1, r.macs() / macs, 0.02, model + " MACs " + r.macs());
        assertEquals(1, r.params() / params, 0.02, model + " params " + r.params());
    }

    @Test
    void imagenetModels() {
        check("alexnet", 724e6, 61.1e6);
        check("resnet18", 1.82e9, 11.69e6);
        check("resnet50", 4.11e9, 25.56e6);
        check("mobilenetv2", 300e6, 3.50e6);
        check("googlenet", 1.50e9, 6.62e6);
        check("squeezenet1.1", 0.35e9, 1.235e6);
    }

    @Test
    void vgg16() {
        check("vgg16", 15.5e9, 138.36e6);
    }
}
