package dev.loupe.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.loupe.LoupeException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A tensor named on the command line as {@code FILE.safetensors#key}. The key may be left out when the file holds
 * exactly one tensor.
 */
public record TensorRef(Path file, String key) {

    /** Parses {@code FILE#key} (split at the last '#'; a file name may itself contain '#'). */
    public static TensorRef parse(String text) {
        if (text == null || text.isBlank()) throw new LoupeException("empty tensor reference (expected FILE.safetensors#key)");
        int hash = text.lastIndexOf('#');
        if (hash < 0) return new TensorRef(Path.of(text), null);
        String file = text.substring(0, hash);
        String key = text.substring(hash + 1);
        if (file.isEmpty()) throw new LoupeException("'" + text + "' names no file (expected FILE.safetensors#key)");
        return new TensorRef(Path.of(file), key.isEmpty() ? null : key);
    }

    /** True when the text looks like a tensor reference rather than, say, an image path. */
    public static boolean looksLikeTensor(String text) {
        int hash = text.lastIndexOf('#');
        String file = hash < 0 ? text : text.substring(0, hash);
        return file.endsWith(".safetensors") || SafeTensors.looksLike(Path.of(file));
    }

    /** Reads the tensor; the result belongs to {@code manager}, the file's other tensors are released. */
    public NDArray read(NDManager manager) {
        try (NDManager scratch = manager.newSubManager()) {
            Map<String, NDArray> all = SafeTensors.read(file, scratch);
            NDArray found;
            if (key == null) {
                if (all.size() != 1) {
                    throw new LoupeException(file + " holds " + all.size() + " tensors; name one as " + file
                            + "#KEY (keys: " + keys(all) + ")");
                }
                found = all.values().iterator().next();
            } else {
                found = all.get(key);
                if (found == null) {
                    throw new LoupeException(file + " has no tensor '" + key + "' (keys: " + keys(all) + ")");
                }
            }
            found.attach(manager);
            return found;
        }
    }

    private static String keys(Map<String, NDArray> all) {
        var names = all.keySet().stream().limit(12).toList();
        return String.join(", ", names) + (all.size() > 12 ? ", ..." : "");
    }

    @Override
    public String toString() {
        return key == null ? file.toString() : file + "#" + key;
    }
}
