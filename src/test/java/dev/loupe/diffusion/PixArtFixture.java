package dev.loupe.diffusion;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.Component;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

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

    /** Reads the bits of an ECAD schedule object directly (test-side reading of the fixture's own layout). */
    public static CacheSchedule schedule(JsonObject file) {
        JsonObject cs = file.getAsJsonObject("cache_schedule");
        int steps = cs.get("num_inference_steps").getAsInt();
        int blocks = cs.get("num_blocks").getAsInt();
        boolean[] genome = new boolean[steps * blocks * CacheSchedule.COMPONENTS];
        for (Map.Entry<String, JsonElement> step : cs.getAsJsonObject("schedule").entrySet()) {
            int s = Integer.parseInt(step.getKey());
            for (Map.Entry<String, JsonElement> block : step.getValue().getAsJsonObject().entrySet()) {
                int b = Integer.parseInt(block.getKey());
                for (Component c : Component.values()) {
                    genome[CacheSchedule.index(s, b, c, blocks)] = block.getValue().getAsJsonObject().get(c.key()).getAsBoolean();
                }
            }
        }
        return CacheSchedule.fromGenome(steps, blocks, genome, cs.get("name").getAsString());
    }
}
