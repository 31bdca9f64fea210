package dev.loupe.ecad;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.loupe.LoupeException;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.Component;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Text and tree plumbing of ECAD schedule files: reading the text, strict JSON, key spelling, key order. */
final class ScheduleJson {
    /** ECAD's PixArt files are about 85 kB; anything this large is not a schedule. */
    static final long MAX_BYTES = 64L << 20;

    private ScheduleJson() {}

    /** ECAD spells step {@code s} as {@code f"{s:03}"}: "000", "001", ..., "999", "1000". */
    static String stepKey(int step) {
        return String.format(Locale.ROOT, "%03d", step);
    }

    static String readText(Path file) {
        try {
            if (Files.isDirectory(file)) throw new LoupeException(file + ": is a directory, not a schedule file");
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new LoupeException(file + ": " + size + " bytes is too large for a schedule file (at most "
                        + (MAX_BYTES >> 20) + " MB)");
            }
            byte[] bytes = Files.readAllBytes(file);
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new LoupeException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new LoupeException(file + ": not JSON: the file is not UTF-8 text");
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot read the file: " + e.getMessage(), e);
        }
    }

    /** Strict JSON (no comments, NaN or trailing text), whose top level must be an object. */
    static JsonObject parseDocument(String json, String source) {
        if (json == null) throw new LoupeException(source + ": no text");
        String text = json.startsWith("\uFEFF") ? json.substring(1) : json;
        if (text.isBlank()) throw new LoupeException(source + ": the file is empty");
        JsonElement root;
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            root = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new LoupeException(source + ": not JSON: more text after the end of the document (at "
                        + reader.getPath() + ")");
            }
        } catch (JsonParseException | IOException | IllegalStateException | NumberFormatException e) {
            throw new LoupeException(source + ": not JSON: " + firstLine(e), e);
        }
        if (!root.isJsonObject()) {
            throw new LoupeException(source + ": not an ECAD schedule: the top level is " + describe(root)
                    + ", expected an object with \"cache_schedule\"");
        }
        return root.getAsJsonObject();
    }

    /** Sets every bit of {@code s} in {@code steps} (a cache_schedule.schedule object), keeping other keys. */
    static void writeBits(CacheSchedule s, JsonObject steps) {
        for (int step = 0; step < s.steps(); step++) {
            JsonObject blocks = child(steps, stepKey(step));
            for (int b = 0; b < s.blocks(); b++) {
                JsonObject entry = child(blocks, Integer.toString(b));
                for (Component c : Component.values()) entry.addProperty(c.key(), s.recompute(step, b, c));
            }
        }
    }

    /** The keys in the order ECAD's {@code to_dict} writes them; any other keys follow in their own order. */
    static JsonObject ecadOrder(JsonObject document) {
        JsonObject out = reorder(document, List.of(ScheduleFile.CACHE_SCHEDULE, ScheduleFile.CONFIG,
                ScheduleFile.METRICS));
        if (out.get(ScheduleFile.CACHE_SCHEDULE) instanceof JsonObject cs) {
            out.add(ScheduleFile.CACHE_SCHEDULE, reorder(cs, List.of(ScheduleFile.NUM_BLOCKS, ScheduleFile.NUM_STEPS,
                    ScheduleFile.NAME, ScheduleFile.ATTRIBUTES, ScheduleFile.SCHEDULE)));
        }
        return out;
    }

    /** A short description of a JSON value for error messages: "an array", "the string \"28\"", ... */
    static String describe(JsonElement e) {
        if (e == null || e.isJsonNull()) return "null";
        if (e.isJsonObject()) return "an object";
        if (e.isJsonArray()) return "an array";
        var p = e.getAsJsonPrimitive();
        String text = p.toString();
        if (text.length() > 40) text = text.substring(0, 37) + "...";
        if (p.isBoolean()) return text;
        if (p.isNumber()) return "the number " + text;
        return "the string " + text;
    }

    private static JsonObject child(JsonObject parent, String key) {
        if (parent.get(key) instanceof JsonObject o) return o;
        JsonObject created = new JsonObject();
        parent.add(key, created);
        return created;
    }

    private static JsonObject reorder(JsonObject o, List<String> first) {
        JsonObject out = new JsonObject();
        for (String k : first) if (o.has(k)) out.add(k, o.get(k));
        for (Map.Entry<String, JsonElement> e : o.entrySet()) if (!out.has(e.getKey())) out.add(e.getKey(), e.getValue());
        return out;
    }

    private static String firstLine(Exception e) {
        Throwable t = e.getCause() != null && e.getMessage() != null && e.getMessage().startsWith("com.google")
                ? e.getCause() : e;
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        m = nl >= 0 ? m.substring(0, nl) : m;
        if (m.startsWith("java.io.EOFException: ")) m = m.substring("java.io.EOFException: ".length());
        if (m.startsWith("com.google.gson.stream.MalformedJsonException: ")) {
            m = m.substring("com.google.gson.stream.MalformedJsonException: ".length());
        }
        m = m.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "syntax error")
                .replace("use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "syntax error");
        return m.isEmpty() ? t.getClass().getSimpleName() : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }
}
