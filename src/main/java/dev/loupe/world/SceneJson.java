package dev.loupe.world;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scene descriptions as JSON, for {@code scenes.json}. Numbers are written as the doubles they are (the sampler
 * rounds them to a few decimals), so reading a description back gives the same scene, which renders to the same
 * pixels.
 *
 * <pre>
 * { "seed": 7, "caption": "a red circle and a blue star on a striped gray background",
 *   "background": { "kind": "striped", "colour": "gray", "angle_degrees": 31.4, "period": 0.173 },
 *   "objects": [ { "instance": 1, "shape": "circle", "class_id": 1, "colour": "red",
 *                  "x": 0.3, "y": 0.52, "size": 0.41, "rotation_degrees": 0.0 }, ... ] }
 * </pre>
 * Objects are listed in drawing order (instance ids); the caption lists them left to right.
 */
public final class SceneJson {
    private SceneJson() {}

    public static JsonObject toJson(SceneSpec scene) {
        JsonObject json = new JsonObject();
        json.addProperty("seed", scene.seed());
        json.addProperty("caption", scene.caption());
        Background b = scene.background();
        JsonObject background = new JsonObject();
        background.addProperty("kind", b.kind().word());
        background.addProperty("colour", b.colour().word());
        background.addProperty("angle_degrees", b.angleDegrees());
        background.addProperty("period", b.period());
        json.add("background", background);
        JsonArray objects = new JsonArray();
        for (int i = 0; i < scene.objects().size(); i++) {
            SceneObject o = scene.objects().get(i);
            JsonObject object = new JsonObject();
            object.addProperty("instance", i + 1);
            object.addProperty("shape", o.shape().word());
            object.addProperty("class_id", o.shape().classId());
            object.addProperty("colour", o.colour().word());
            object.addProperty("x", o.x());
            object.addProperty("y", o.y());
            object.addProperty("size", o.size());
            object.addProperty("rotation_degrees", o.rotationDegrees());
            objects.add(object);
        }
        json.add("objects", objects);
        return json;
    }

    /**
     * Reads a description written by {@link #toJson}; extra keys are ignored.
     *
     * @throws IllegalArgumentException naming the key that is missing or wrong
     */
    public static SceneSpec fromJson(JsonObject json) {
        JsonObject b = object(json, "background");
        Background background = new Background(
                word(b, "kind", BackgroundKind.fromWord(string(b, "kind"))),
                word(b, "colour", NamedColour.fromWord(string(b, "colour"))),
                number(b, "angle_degrees"), number(b, "period"));
        List<SceneObject> objects = new ArrayList<>();
        JsonElement list = json.get("objects");
        if (list == null || !list.isJsonArray()) throw new IllegalArgumentException("\"objects\" is missing or not a list");
        for (JsonElement e : list.getAsJsonArray()) {
            if (!e.isJsonObject()) throw new IllegalArgumentException("an entry of \"objects\" is not an object");
            JsonObject o = e.getAsJsonObject();
            objects.add(new SceneObject(
                    word(o, "shape", ShapeKind.fromWord(string(o, "shape"))),
                    word(o, "colour", NamedColour.fromWord(string(o, "colour"))),
                    number(o, "x"), number(o, "y"), number(o, "size"), number(o, "rotation_degrees")));
        }
        number(json, "seed");
        return new SceneSpec(json.get("seed").getAsLong(), background, objects);
    }

    private static JsonObject object(JsonObject json, String key) {
        JsonElement e = json.get(key);
        if (e == null || !e.isJsonObject()) throw new IllegalArgumentException("\"" + key + "\" is missing or not an object");
        return e.getAsJsonObject();
    }

    private static String string(JsonObject json, String key) {
        JsonElement e = json.get(key);
        if (e == null || !e.isJsonPrimitive()) throw new IllegalArgumentException("\"" + key + "\" is missing or not a word");
        return e.getAsString().toLowerCase(Locale.ROOT);
    }

    private static double number(JsonObject json, String key) {
        JsonElement e = json.get(key);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("\"" + key + "\" is missing or not a number");
        }
        return e.getAsDouble();
    }

    private static <T> T word(JsonObject json, String key, T value) {
        if (value == null) throw new IllegalArgumentException("\"" + key + "\" has the unknown value \"" + string(json, key) + "\"");
        return value;
    }
}
