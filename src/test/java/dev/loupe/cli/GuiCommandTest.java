package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loupe gui} refuses what it could not open before any window appears. */
class GuiCommandTest {
    @Test
    void aMissingFileIsNamedAndNoWindowOpens(@TempDir Path dir) {
        Path missing = dir.resolve("nowhere.png");
        Cli.Result r = Cli.run("gui", "--workspace", "features", missing.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains(missing + ": no such file or folder"), r.err());
    }

    @Test
    void anUnknownWorkspaceIsAUsageError() {
        Cli.Result r = Cli.run("gui", "--workspace", "kitchen");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("features, frontier, models"), r.err());
    }
}
