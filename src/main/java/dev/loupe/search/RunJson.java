package dev.loupe.search;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.loupe.LoupeException;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.tensor.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading and writing the JSON files of a search run folder, with errors that name the file. */
final class RunJson {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create();

    private RunJson() {}

    static JsonElement read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new LoupeException(file + " is missing");
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot read: " + e.getMessage(), e);
        }
        try {
            JsonElement e = JsonParser.parseString(text);
            if (e == null || e.isJsonNull()) throw new LoupeException(file + " is empty");
            return e;
        } catch (JsonParseException e) {
            throw new LoupeException(file + " is not valid JSON: " + e.getMessage());
        }
    }

    static String toText(JsonElement json) {
        return GSON.toJson(json) + "\n";
    }

    static void write(Path file, JsonElement json) {
        try {
            AtomicFiles.writeString(file, toText(json));
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    static JsonElement required(JsonObject o, String key, String source) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) throw new LoupeException(source + ": missing \"" + key + "\"");
        return e;
    }

    static JsonArray array(JsonObject o, String key, String source) {
        JsonElement e = required(o, key, source);
        if (!e.isJsonArray()) throw new LoupeException(source + ": \"" + key + "\" is not a list");
        return e.getAsJsonArray();
    }

    static JsonObject object(JsonElement e, String what, String source) {
        if (e == null || !e.isJsonObject()) throw new LoupeException(source + ": " + what + " is not a JSON object");
        return e.getAsJsonObject();
    }

    static String string(JsonObject o, String key, String source) {
        JsonElement e = required(o, key, source);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new LoupeException(source + ": \"" + key + "\" is not a string");
        }
        return e.getAsString();
    }

    static double number(JsonObject o, String key, String source) {
        JsonElement e = required(o, key, source);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new LoupeException(source + ": \"" + key + "\" is not a number");
        }
        return e.getAsDouble();
    }

    /** A number that may be null (NaN: not measured). */
    static double optionalNumber(JsonObject o, String key, String source) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) return Double.NaN;
        return number(o, key, source);
    }

    static JsonElement numberOrNull(double d) {
        return Double.isFinite(d) ? new com.google.gson.JsonPrimitive(d) : JsonNull.INSTANCE;
    }

    static int integer(JsonObject o, String key, String source) {
        double d = number(o, key, source);
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new LoupeException(source + ": \"" + key + "\" is not a whole number: " + d);
        }
        return (int) d;
    }

    static long wholeNumber(JsonObject o, String key, String source) {
        JsonElement e = required(o, key, source);
        try {
            return e.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
        } catch (RuntimeException ex) {
            throw new LoupeException(source + ": \"" + key + "\" is not a whole number");
        }
    }

    /** The genome as a string of '1' (recompute) and '0' (reuse), step-major. */
    static String bits(CacheSchedule s) {
        boolean[] g = s.genome();
        StringBuilder b = new StringBuilder(g.length);
        for (boolean bit : g) b.append(bit ? '1' : '0');
        return b.toString();
    }

    static CacheSchedule schedule(int steps, int blocks, String bits, String name, String source) {
        if (steps < 1 || blocks < 1 || (long) steps * blocks * CacheSchedule.COMPONENTS != bits.length()) {
            throw new LoupeException(source + ": a genome of " + bits.length() + " bits does not fit " + steps
                    + " steps x " + blocks + " blocks x " + CacheSchedule.COMPONENTS + " components");
        }
        boolean[] g = new boolean[bits.length()];
        for (int i = 0; i < g.length; i++) {
            char c = bits.charAt(i);
            if (c != '0' && c != '1') throw new LoupeException(source + ": genome bit " + i + " is '" + c + "', not 0 or 1");
            g[i] = c == '1';
        }
        return CacheSchedule.fromGenome(steps, blocks, g, name);
    }
}
