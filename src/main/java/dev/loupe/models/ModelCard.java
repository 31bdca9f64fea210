package dev.loupe.models;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.loupe.LoupeException;
import dev.loupe.tensor.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A shipped model's {@code model.json}: what it is, how it was made (command, data, time) and how good it is
 * (metrics measured after training), with the SHA-256 of each weight file so a damaged copy is detected.
 */
public record ModelCard(Path folder, JsonObject json) {

    /** Writes {@code json} as the folder's {@code model.json} (atomically, pretty-printed) and returns the card. */
    public static ModelCard write(Path folder, JsonObject json) throws IOException {
        Files.createDirectories(folder);
        AtomicFiles.writeString(folder.resolve("model.json"), new GsonBuilder().setPrettyPrinting().create().toJson(json) + "\n");
        return new ModelCard(folder, json);
    }

    public static ModelCard read(Path folder) {
        Path file = folder.resolve("model.json");
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file));
            if (!e.isJsonObject()) throw new LoupeException(file + " is not a model card (not a JSON object)");
            return new ModelCard(folder, e.getAsJsonObject());
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot be read (" + e.getMessage() + ")", e);
        } catch (JsonParseException e) {
            throw new LoupeException(file + " is not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    public String name() {
        return string("name", folder.getFileName().toString());
    }

    public String kind() {
        return string("kind", "unknown");
    }

    public String description() {
        return string("description", "");
    }

    public String reproduce() {
        return string("command", "");
    }

    public JsonObject metrics() {
        return json.has("metrics") && json.get("metrics").isJsonObject() ? json.getAsJsonObject("metrics") : new JsonObject();
    }

    /** Weight file name to the SHA-256 the card records. */
    public Map<String, String> files() {
        Map<String, String> out = new LinkedHashMap<>();
        if (json.has("files") && json.get("files").isJsonObject()) {
            json.getAsJsonObject("files").entrySet().forEach(e -> {
                JsonElement v = e.getValue();
                String sha = v.isJsonObject() && v.getAsJsonObject().has("sha256")
                        ? v.getAsJsonObject().get("sha256").getAsString()
                        : v.isJsonPrimitive() ? v.getAsString() : "";
                out.put(e.getKey(), sha);
            });
        }
        return out;
    }

    /** Checks every weight file against its recorded SHA-256; throws naming the first file that differs. */
    public void verify() {
        files().forEach((name, expected) -> {
            Path f = folder.resolve(name);
            if (!Files.isRegularFile(f)) throw new LoupeException(f + " is missing (listed in " + folder.resolve("model.json") + ")");
            String actual = sha256(f);
            if (!expected.isEmpty() && !expected.equalsIgnoreCase(actual)) {
                throw new LoupeException(f + " is damaged: its SHA-256 is " + actual + ", the model card says " + expected);
            }
        });
    }

    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot be read (" + e.getMessage() + ")", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String string(String key, String fallback) {
        JsonElement e = json.get(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : fallback;
    }
}
