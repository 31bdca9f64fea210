package dev.loupe.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.LoupeException;
import dev.loupe.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SceneFolderTest {
    @TempDir Path dir;

    @Test
    void cancelledWriteLeavesNoIndex() throws IOException {
        Progress stopAfterTwo = new Progress() {
            int updates;

            @Override
            public void update(double fraction, String message) {
                updates++;
            }

            @Override
            public boolean isCancelled() {
                return updates >= 2;
            }
        };
        assertEquals(2, SceneFolder.write(dir, 5, 10, 32, stopAfterTwo));
        assertTrue(Files.exists(dir.resolve("0001.png")));
        assertFalse(Files.exists(dir.resolve("0002.png")));
        assertFalse(Files.exists(dir.resolve(SceneFolder.INDEX)), "an index means a complete folder");
    }

    @Test
    void badIndexFilesAreNamedWithTheProblem() throws IOException {
        Path index = dir.resolve(SceneFolder.INDEX);
        assertMessage(index + ": not found (a ShapesWorld folder has a scenes.json)");

        Files.writeString(index, "{ not json");
        assertTrue(assertThrows(LoupeException.class, () -> SceneFolder.read(dir)).getMessage()
                .startsWith(index + ": is not valid JSON"));

        Files.writeString(index, "{\"version\": 99, \"scenes\": []}");
        assertMessage(index + ": was written by ShapesWorld version 99, this is version " + ShapesWorld.VERSION);

        Files.writeString(index, "{\"version\": 1, \"scenes\": [{\"seed\": 3, \"background\": {\"kind\": \"dotted\"}}]}");
        assertMessage(index + ": scene 0: \"kind\" has the unknown value \"dotted\"");

        SceneFolder.write(dir, 3, 2, 32, Progress.NONE);
        assertEquals(ShapesWorld.scenes(3, 2), SceneFolder.read(dir));
    }

    private void assertMessage(String expected) {
        assertEquals(expected, assertThrows(LoupeException.class, () -> SceneFolder.read(dir)).getMessage());
    }
}
