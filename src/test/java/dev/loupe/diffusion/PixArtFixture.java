package dev.loupe.diffusion;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.ecad.ScheduleFile;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The diffusers reference fixture in src/test/resources/fixtures/pixart-reference (see its README). */
public final class PixArtFixture {
    public static final String[] SCHEDULES = {"nocache", "fora2", "mixed"};
    public static final int STEPS = 5;

    private PixArtFixture() {}

    public static Path resource(String relative) {
        try {
            return Path.of(PixArtFixture.class.getResource("/fixtures/" + relative).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path weights() {
        return resource("pixart-reference/pixart_weights_seed1.safetensors");
    }

    public static Path io() {
        return resource("pixart-reference/pixart_io_seed1.safetensors");
    }

    public static Path meta() {
        return resource("pixart-reference/pixart_meta_seed1.json");
    }

    public static JsonObject metaJson() throws IOException {
        return JsonParser.parseString(Files.readString(meta())).getAsJsonObject();
    }

    public static PixArtConfig config() throws IOException {
        return PixArtConfig.fromJson(metaJson(), meta().toString());
    }

    /** One schedule of the fixture as an ECAD schedule file object. */
    public static JsonObject scheduleJson(String name) throws IOException {
        return metaJson().getAsJsonObject("schedules").getAsJsonObject(name);
    }

    /** An ECAD schedule object as a schedule. */
    public static CacheSchedule schedule(JsonObject file) {
        return ScheduleFile.parse(file.toString(), "fixture").schedule();
    }
}
