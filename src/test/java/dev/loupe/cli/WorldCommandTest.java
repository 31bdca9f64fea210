package dev.loupe.cli;

import static dev.loupe.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loupe.world.RenderedScene;
import dev.loupe.world.SceneFolder;
import dev.loupe.world.SceneSpec;
import dev.loupe.world.ShapeKind;
import dev.loupe.world.ShapesWorld;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorldCommandTest {
    @TempDir Path dir;

    @Test
    void writesScenesMasksAndDescriptionsIdenticallyTwice() throws IOException {
        Path first = dir.resolve("w1");
        Path second = dir.resolve("w2");
        String[] args = {"--count", "16", "--size", "128", "--seed", "7"};
        assertEquals(0, run(concat("world", "--out", first.toString(), args)).exitCode());
        assertEquals(0, run(concat("world", "--out", second.toString(), args)).exitCode());

        List<String> names = list(first);
        assertEquals(16 * 3 + 1, names.size(), names.toString());
        assertEquals(names, list(second));
        for (String name : names) {
            // what `cmp first/NAME second/NAME` checks
            assertEquals(-1L, Files.mismatch(first.resolve(name), second.resolve(name)), name + " differs between runs");
        }

        JsonObject index = JsonParser.parseString(Files.readString(first.resolve("scenes.json"))).getAsJsonObject();
        assertEquals(ShapesWorld.VERSION, index.get("version").getAsInt());
        assertEquals(128, index.get("size").getAsInt());
        assertEquals(ShapeKind.classNames().size(), index.getAsJsonArray("classes").size());
        JsonArray scenes = index.getAsJsonArray("scenes");
        assertEquals(16, scenes.size());
        List<SceneSpec> specs = SceneFolder.read(first);
        for (int i = 0; i < 16; i++) {
            JsonObject entry = scenes.get(i).getAsJsonObject();
            SceneSpec expected = ShapesWorld.scene(7 + i);
            assertEquals(expected, specs.get(i));
            assertEquals(expected.caption(), entry.get("caption").getAsString());
            assertEquals(String.format("%04d.png", i), entry.get("image").getAsString());
            if (i % 5 == 0) checkImages(first, i, ShapesWorld.render(7 + i, 128), entry);
        }
    }

    private static void checkImages(Path dir, int index, RenderedScene scene, JsonObject entry) throws IOException {
        BufferedImage image = ImageIO.read(dir.resolve(entry.get("image").getAsString()).toFile());
        BufferedImage classes = ImageIO.read(dir.resolve(entry.get("class_mask").getAsString()).toFile());
        BufferedImage instances = ImageIO.read(dir.resolve(entry.get("instance_mask").getAsString()).toFile());
        assertEquals(128, image.getWidth());
        assertEquals(128, image.getHeight());
        assertTrue(classes.getColorModel() instanceof IndexColorModel, "class mask is indexed-colour");
        int[] objectPixels = new int[scene.spec().objects().size()];
        for (int y = 0; y < 128; y++) {
            for (int x = 0; x < 128; x++) {
                assertEquals(scene.rgbAt(x, y), image.getRGB(x, y) & 0xffffff);
                int classId = classes.getRaster().getSample(x, y, 0);
                int instance = instances.getRaster().getSample(x, y, 0);
                assertEquals(scene.classAt(x, y), classId);
                assertEquals(scene.instanceAt(x, y), instance);
                if (instance > 0) {
                    assertEquals(scene.spec().objects().get(instance - 1).shape().classId(), classId);
                    objectPixels[instance - 1]++;
                } else {
                    assertEquals(0, classId);
                }
            }
        }
        JsonArray objects = entry.getAsJsonArray("objects");
        for (int i = 0; i < objectPixels.length; i++) {
            assertEquals(objectPixels[i], objects.get(i).getAsJsonObject().get("visible_pixels").getAsInt(), "scene " + index);
        }
    }

    @Test
    void badArgumentsGiveOneClearLine() throws IOException {
        Cli.Result size = run("world", "--out", dir.resolve("x").toString(), "--size", "16");
        assertNotEquals(0, size.exitCode());
        assertEquals("loupe: --size must be between 32 and 1024, got 16 (see 'loupe world --help')", size.err().strip());

        Cli.Result count = run("world", "--out", dir.resolve("x").toString(), "--count", "0");
        assertNotEquals(0, count.exitCode());
        assertEquals("loupe: --count must be at least 1, got 0 (see 'loupe world --help')", count.err().strip());

        Path file = Files.writeString(dir.resolve("file"), "not a folder");
        Cli.Result notFolder = run("world", "--out", file.toString(), "--count", "1");
        assertEquals(1, notFolder.exitCode());
        assertEquals("loupe: " + file + ": exists and is not a folder", notFolder.err().strip());
        assertEquals("not a folder", Files.readString(file), "the user's file is untouched");
        assertTrue(!Files.exists(dir.resolve("x")), "nothing written for bad arguments");
    }

    @Test
    void helpNamesEveryClassId() {
        String help = LoupeCommand.commandLine().getSubcommands().get("world").getUsageMessage().replaceAll("\\s+", " ");
        for (ShapeKind kind : ShapeKind.values()) assertTrue(help.contains(kind.classId() + " " + kind.word()), kind + ": " + help);
    }

    private static String[] concat(String a, String b, String c, String[] rest) {
        return Stream.concat(Stream.of(a, b, c), Stream.of(rest)).toArray(String[]::new);
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
