package dev.loupe.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.loupe.LoupeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Weights as Hugging Face libraries store them: one {@code .safetensors} file, or a sharded checkpoint whose
 * {@code *.safetensors.index.json} maps every key to its shard ({@code {"weight_map": {key: file}}}), or a folder
 * holding exactly one of those (diffusers: {@code diffusion_pytorch_model.safetensors[.index.json]}).
 */
public final class Checkpoints {
    private Checkpoints() {}

    /** All tensors of the checkpoint, as stored (dtype included), in {@code manager}. */
    public static Map<String, NDArray> read(Path path, NDManager manager) {
        Path file = resolve(path);
        if (file.getFileName().toString().endsWith(".index.json")) return readSharded(file, manager);
        return SafeTensors.read(file, manager);
    }

    /** The file a path names: itself, or the single weight file or index in a folder. */
    public static Path resolve(Path path) {
        if (!Files.isDirectory(path)) {
            if (!Files.exists(path)) throw new LoupeException(path + ": no such file");
            return path;
        }
        List<Path> indexes = list(path, ".safetensors.index.json");
        if (indexes.size() == 1) return indexes.get(0);
        List<Path> files = list(path, ".safetensors");
        if (indexes.isEmpty() && files.size() == 1) return files.get(0);
        if (indexes.isEmpty() && files.isEmpty()) {
            throw new LoupeException(path + " holds no .safetensors weights (nor a .safetensors.index.json)");
        }
        throw new LoupeException(path + " holds several checkpoints (" + (indexes.isEmpty() ? files : indexes).size()
                + "): name the weight file or index to use");
    }

    private static List<Path> list(Path dir, String suffix) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix) && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new LoupeException(dir + ": cannot be listed (" + e.getMessage() + ")", e);
        }
    }

    private static Map<String, NDArray> readSharded(Path index, NDManager manager) {
        Map<String, String> weightMap = weightMap(index);
        Set<String> shards = new LinkedHashSet<>(weightMap.values());
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (String shard : shards) {
            Path file = index.resolveSibling(shard);
            if (!Files.isRegularFile(file)) {
                throw new LoupeException(index + " names shard " + shard + ", which is not in " + index.getParent());
            }
            for (Map.Entry<String, NDArray> e : SafeTensors.read(file, manager).entrySet()) {
                String expected = weightMap.get(e.getKey());
                if (expected == null) {
                    throw new LoupeException(file + " holds tensor '" + e.getKey() + "', which " + index + " does not list");
                }
                if (!expected.equals(shard)) {
                    throw new LoupeException(file + " holds tensor '" + e.getKey() + "', which " + index + " places in " + expected);
                }
                out.put(e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, String> e : weightMap.entrySet()) {
            if (!out.containsKey(e.getKey())) {
                throw new LoupeException(index + " places tensor '" + e.getKey() + "' in " + e.getValue() + ", which does not hold it");
            }
        }
        return out;
    }

    private static Map<String, String> weightMap(Path index) {
        JsonObject root;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(index, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) throw new LoupeException(index + " is not a JSON object");
            root = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new LoupeException(index + " is not valid JSON (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new LoupeException(index + ": cannot be read (" + e.getMessage() + ")", e);
        }
        JsonElement map = root.get("weight_map");
        if (map == null || !map.isJsonObject()) throw new LoupeException(index + " has no \"weight_map\" object");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : map.getAsJsonObject().entrySet()) {
            JsonElement v = e.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw new LoupeException(index + ": the shard of '" + e.getKey() + "' is not a file name");
            }
            String shard = v.getAsString();
            if (shard.contains("/") || shard.contains("\\") || shard.equals("..")) {
                throw new LoupeException(index + ": shard name " + shard + " must be a file beside the index");
            }
            out.put(e.getKey(), shard);
        }
        return out;
    }
}
