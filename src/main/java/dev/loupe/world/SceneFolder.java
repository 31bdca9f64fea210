package dev.loupe.world;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.loupe.LoupeException;
import dev.loupe.Progress;
import dev.loupe.tensor.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A folder of rendered scenes: {@code NNNN.png}, {@code NNNN_class.png}, {@code NNNN_instance.png} per scene and
 * one {@value #INDEX} that describes them all:
 *
 * <pre>
 * { "generator": "ShapesWorld", "version": 1, "size": 128,
 *   "classes": ["background", "circle", ...],            (index = class id = pixel value in *_class.png)
 *   "scenes": [ { "index": 0, "image": "0000.png", "class_mask": "0000_class.png",
 *                 "instance_mask": "0000_instance.png", (description, see SceneJson)
 *                 "objects": [ { ..., "pixels": 812, "visible_pixels": 640 } ] }, ... ] }
 * </pre>
 * Every file is written atomically; the index is written last, so a folder with a {@value #INDEX} is complete.
 */
public final class SceneFolder {
    public static final String INDEX = "scenes.json";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private SceneFolder() {}

    /** The file-name stem of scene {@code index}: 0000, 0001, ... (more digits past 9999). */
    public static String stem(int index) {
        return String.format("%04d", index);
    }

    /**
     * Writes the scenes of seeds {@code firstSeed .. firstSeed + count - 1} at {@code size} x {@code size} into
     * {@code dir}, reporting after each scene; stops early (without an index) when cancelled.
     *
     * @return the number of scenes written
     */
    public static int write(Path dir, long firstSeed, int count, int size, Progress progress) throws IOException {
        Writer writer = new Writer(dir, size);
        for (int i = 0; i < count; i++) {
            if (progress.isCancelled()) return i;
            writer.add(Rasteriser.render(ShapesWorld.scene(firstSeed + i), size));
            progress.update((i + 1.0) / count, "scene " + (i + 1) + "/" + count);
        }
        writer.finish();
        return count;
    }

    /** Writes scenes one by one (nothing but their descriptions is kept), then the index. */
    public static final class Writer {
        private final Path dir;
        private final int size;
        private final JsonArray scenes = new JsonArray();

        public Writer(Path dir, int size) {
            this.dir = dir;
            this.size = size;
        }

        public void add(RenderedScene scene) throws IOException {
            if (scene.size() != size) {
                throw new IllegalArgumentException("scene of size " + scene.size() + " in a folder of size " + size);
            }
            String stem = stem(scenes.size());
            JsonObject entry = new JsonObject();
            entry.addProperty("index", scenes.size());
            entry.addProperty("image", stem + ".png");
            entry.addProperty("class_mask", stem + "_class.png");
            entry.addProperty("instance_mask", stem + "_instance.png");
            JsonObject description = SceneJson.toJson(scene.spec());
            JsonArray objects = description.getAsJsonArray("objects");
            for (int i = 0; i < objects.size(); i++) {
                objects.get(i).getAsJsonObject().addProperty("pixels", scene.objectPixels()[i]);
                objects.get(i).getAsJsonObject().addProperty("visible_pixels", scene.visiblePixels()[i]);
            }
            description.entrySet().forEach(e -> entry.add(e.getKey(), e.getValue()));
            AtomicFiles.writeBytes(dir.resolve(stem + ".png"), ScenePngs.image(scene));
            AtomicFiles.writeBytes(dir.resolve(stem + "_class.png"), ScenePngs.classMask(scene));
            AtomicFiles.writeBytes(dir.resolve(stem + "_instance.png"), ScenePngs.instanceMask(scene));
            scenes.add(entry);
        }

        /** Writes {@value #INDEX}. */
        public void finish() throws IOException {
            JsonObject index = new JsonObject();
            index.addProperty("generator", "ShapesWorld");
            index.addProperty("version", ShapesWorld.VERSION);
            index.addProperty("size", size);
            JsonArray classes = new JsonArray();
            ShapeKind.classNames().forEach(classes::add);
            index.add("classes", classes);
            index.add("scenes", scenes);
            AtomicFiles.writeString(dir.resolve(INDEX), GSON.toJson(index) + "\n");
        }
    }

    /**
     * The scene descriptions of a folder's {@value #INDEX}, in order.
     *
     * @throws LoupeException naming the file and what is wrong with it
     */
    public static List<SceneSpec> read(Path dir) {
        Path file = dir.resolve(INDEX);
        JsonObject index;
        try {
            JsonElement root = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!root.isJsonObject()) throw new LoupeException(file + ": is not a ShapesWorld scenes.json (not a JSON object)");
            index = root.getAsJsonObject();
        } catch (NoSuchFileException e) {
            throw new LoupeException(file + ": not found (a ShapesWorld folder has a " + INDEX + ")");
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot be read (" + e.getMessage() + ")", e);
        } catch (JsonParseException e) {
            throw new LoupeException(file + ": is not valid JSON (" + e.getMessage() + ")", e);
        }
        JsonElement version = index.get("version");
        if (version == null || !version.isJsonPrimitive() || !version.getAsJsonPrimitive().isNumber()
                || version.getAsDouble() != ShapesWorld.VERSION) {
            throw new LoupeException(file + ": was written by ShapesWorld version " + version + ", this is version "
                    + ShapesWorld.VERSION);
        }
        JsonElement scenes = index.get("scenes");
        if (scenes == null || !scenes.isJsonArray()) throw new LoupeException(file + ": has no \"scenes\" list");
        List<SceneSpec> out = new ArrayList<>();
        for (JsonElement e : scenes.getAsJsonArray()) {
            try {
                if (!e.isJsonObject()) throw new IllegalArgumentException("is not an object");
                out.add(SceneJson.fromJson(e.getAsJsonObject()));
            } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException ex) {
                throw new LoupeException(file + ": scene " + out.size() + ": " + ex.getMessage(), ex);
            }
        }
        return out;
    }
}
