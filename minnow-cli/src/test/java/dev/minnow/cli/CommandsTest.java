package dev.minnow.cli;

import static dev.minnow.cli.FoundationEndToEndTest.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The read-only commands, through the CLI as a user calls them. */
class CommandsTest {
    @Test
    void infoListsLayersWithShapesAndTheZoo() {
        Cli r = Cli.run("info", "lenet5", "--json");
        assertEquals(0, r.exitCode(), r.err());
        String j = r.json();
        assertEquals(431080, (long) number(j, "params"));
        // conv1 by hand: reads x 784 + w 500 + b 20 floats, writes 20x24x24 floats; 2 x 288,000 FLOPs over 51,296 bytes
        assertTrue(j.contains("{\"name\":\"conv1\",\"op\":\"Conv\",\"params\":520,\"macs\":288000,\"output_shape\":[-1,20,24,24],"
                + "\"bytes_read\":5216,\"bytes_written\":46080,\"weight_bytes\":2080,\"activation_bytes\":49216,"
                + "\"arithmetic_intensity\":11.22"), j);
        assertEquals(2.0 * 2_293_000 / (number(j, "bytes_read") + number(j, "bytes_written")), number(j, "arithmetic_intensity"), 1e-9);
        Cli list = Cli.run("info", "--list");
        assertTrue(list.out().contains("resnet20") && list.out().contains("mobilenetv2"), list.out());
        Cli human = Cli.run("info", "lenet5");
        assertTrue(human.out().contains("431,080") && human.out().contains("FLOP/B"), human.out());
    }

    @Test
    void benchAloneWithProfileAndAgainstOnnxRuntime() {
        Cli alone = Cli.run("bench", "lenet5", "--seconds", "0.2", "--warmup", "2", "--warmup-seconds", "0", "--profile", "--json");
        assertEquals(0, alone.exitCode(), alone.err());
        String j = alone.json();
        assertTrue(number(j, "latency_ms") > 0);
        assertTrue(j.contains("\"name\":\"conv2\"") && j.contains("\"name\":\"fc2\""), j);

        Cli ort = Cli.run("bench", "lenet5", "--batch", "4", "--seconds", "0.2", "--warmup", "2", "--warmup-seconds", "0", "--compare", "ort", "--json");
        assertEquals(0, ort.exitCode(), ort.err());
        String o = ort.json();
        assertTrue(number(o, "ratio") > 0 && number(o, "minnow_ms") > 0 && number(o, "ort_ms") > 0, o);
        assertTrue(number(o, "max_abs_diff") <= 1e-4 * Math.max(1, number(o, "max_abs_output")), "same logits as ORT: " + o);
    }

    @Test
    void benchTrainReportsThroughput() {
        Cli r = Cli.run("bench", "lenet-300-100", "--train", "--batch", "16", "--seconds", "0.3", "--warmup", "2", "--warmup-seconds", "0", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(number(r.json(), "train_images_per_second") > 0, r.json());
    }

    @Test
    void downloadKeepsFilesThatAreAlreadyThere() {
        Cli r = Cli.run("download", "mnist", "--data-dir", Cli.dataDir().toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.json().contains("\"downloaded\":[]"), r.json());
    }
}
