package dev.minnow.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatasetsTest {
    @Test
    void dataDirComesFromFlagThenEnvironmentThenHome() {
        Map<String, String> env = Map.of("MINNOW_DATA", "/env/data");
        assertEquals(Path.of("/flag"), Datasets.resolveDataDir("/flag", env, "/home/u"));
        assertEquals(Path.of("/env/data"), Datasets.resolveDataDir(null, env, "/home/u"));
        assertEquals(Path.of("/env/data"), Datasets.resolveDataDir("  ", env, "/home/u"));
        assertEquals(Path.of("/home/u/.cache/minnow"), Datasets.resolveDataDir(null, Map.of(), "/home/u"));
        assertEquals(Path.of("/home/u/.cache/minnow"),
                Datasets.resolveDataDir(null, Map.of("MINNOW_DATA", ""), "/home/u"));
    }

    @Test
    void unknownSpecListsTheValidNames() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Datasets.load("imagenet", Path.of("/nowhere")));
        for (String name : new String[] {"mnist", "fashion-mnist", "cifar10", "imagefolder:"}) {
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
        assertThrows(InvalidInputException.class, () -> Datasets.load("imagefolder:", Path.of("/nowhere")));
        assertThrows(InvalidInputException.class,
                () -> Datasets.ensureDownloaded("svhn", Path.of("/nowhere"), Downloader.Listener.NONE));
    }

    @Test
    void specNamesAreCaseInsensitive() {
        DatasetSplit s = Datasets.load("MNIST", TestData.sharedDataDir());
        assertEquals("mnist", s.name());
    }

    @Test
    void ensureDownloadedDoesNothingWhenFilesArePresent() {
        // the shared copies are re-gzipped, so their checksums differ from the official table: they must be accepted
        assertEquals(0, Datasets.ensureDownloaded("mnist", TestData.sharedDataDir(), Downloader.Listener.NONE).size());
        assertEquals(0, Datasets.ensureDownloaded("cifar10", TestData.sharedDataDir(), Downloader.Listener.NONE).size());
    }

    @Test
    void officialTableCoversEveryNamedDatasetWithChecksums() {
        for (String name : new String[] {"mnist", "fashion-mnist", "cifar10"}) {
            OfficialSources.Entry e = OfficialSources.TABLE.get(name);
            assertTrue(e != null && !e.files().isEmpty(), name);
            for (Downloader.Source s : e.files()) {
                assertTrue(s.sha256().matches("[0-9a-f]{64}"), s.fileName());
            }
        }
    }
}
