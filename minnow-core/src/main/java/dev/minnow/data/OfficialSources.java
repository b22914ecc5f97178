package dev.minnow.data;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where `minnow download` fetches each dataset, and the SHA-256 of the official files, as data.
 *
 * Checksums are those of the files the publishers distribute (MNIST as mirrored by TensorFlow
 * and PyTorch; Fashion-MNIST from Zalando's S3 bucket; CIFAR-10 from the University of Toronto).
 * Copies made elsewhere may hold the same data in a different gzip stream: the MNIST copy in
 * this project's shared test data was re-compressed with gzip -9, so its SHA-256 differs from
 * the ones below although the decompressed IDX bytes are identical. Only downloads are checked
 * against this table; files already present are accepted and validated when they are read.
 * The MNIST and CIFAR-10 sums agree across many independent download scripts. Zalando publishes
 * MD5s, not SHA-256s, for Fashion-MNIST; its SHA-256s below come from third-party download code
 * and could not be re-checked offline: if a first real download reports a mismatch, fix this table.
 */
final class OfficialSources {
    /** Sub-folder of the data dir, and the files that go in it. */
    record Entry(String folder, List<Downloader.Source> files) {
    }

    private static final List<String> MNIST_MIRRORS = List.of(
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "https://ossci-datasets.s3.amazonaws.com/mnist/");
    private static final List<String> FASHION_MIRRORS = List.of(
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");
    private static final List<String> CIFAR_MIRRORS = List.of("https://www.cs.toronto.edu/~kriz/");

    static final Map<String, Entry> TABLE = Map.of(
            "mnist", new Entry("mnist", List.of(
                    source(MNIST_MIRRORS, "train-images-idx3-ubyte.gz",
                            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
                    source(MNIST_MIRRORS, "train-labels-idx1-ubyte.gz",
                            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
                    source(MNIST_MIRRORS, "t10k-images-idx3-ubyte.gz",
                            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
                    source(MNIST_MIRRORS, "t10k-labels-idx1-ubyte.gz",
                            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"))),
            "fashion-mnist", new Entry("fashion-mnist", List.of(
                    source(FASHION_MIRRORS, "train-images-idx3-ubyte.gz",
                            "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc"),
                    source(FASHION_MIRRORS, "train-labels-idx1-ubyte.gz",
                            "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc"),
                    source(FASHION_MIRRORS, "t10k-images-idx3-ubyte.gz",
                            "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229"),
                    source(FASHION_MIRRORS, "t10k-labels-idx1-ubyte.gz",
                            "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf"))),
            "cifar10", new Entry("", List.of(
                    source(CIFAR_MIRRORS, CifarBinaryLoader.ARCHIVE,
                            "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"))));

    private OfficialSources() {
    }

    private static Downloader.Source source(List<String> mirrors, String file, String sha256) {
        List<URI> urls = new ArrayList<>();
        for (String m : mirrors) {
            urls.add(URI.create(m + file));
        }
        return new Downloader.Source(file, urls, sha256);
    }
}
