package dev.loupe.diffusion.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loupe.diffusion.PixArtConfig;
import dev.loupe.diffusion.PixArtFixture;
import dev.loupe.diffusion.PixArtTransformer;
import dev.loupe.tensor.SafeTensors;
import java.nio.file.Files;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacCounterTest {
    private static final MacCounter PIXART_256 = new MacCounter(PixArtConfig.pixartAlpha256().dimensions(), 2, 120);

    @ParameterizedTest
    @ValueSource(strings = {"ours_fast", "ours_faster", "ours_fastest"})
    void weightMacsEqualEcadsPublishedCountsStepByStep(String name) throws Exception {
        JsonObject file = JsonParser.parseString(Files.readString(
                PixArtFixture.resource("ecad-schedules/pixart_alpha_256_" + name + ".json"))).getAsJsonObject();
        CacheSchedule schedule = PixArtFixture.schedule(file);
        JsonObject metrics = file.getAsJsonObject("metrics");
        JsonObject byStep = metrics.getAsJsonObject("by_inference_step");
        MacCounter.Run run = PIXART_256.count(schedule);
        assertEquals(byStep.size(), run.steps().size());
        for (MacCounter.Step step : run.steps()) {
            long expected = byStep.getAsJsonObject(String.format("%03d", step.step())).get("macs").getAsLong();
            assertEquals(expected, step.weightMacs(), name + " step " + step.step());
        }
        assertEquals(metrics.get("total_macs").getAsLong(), run.weightMacs());
    }

    @Test
    void aFullyCachedPixArtStepCostsOnlyTheLayersOutsideTheBlocks() {
        // The figure ECAD reports for every all-cached step: patch conv, timestep MLP, adaLN linear, caption
        // projection and proj_out, batch 2 (see the class comment for the derivation).
        long patch = 2L * 256 * 1152 * 4 * 2 * 2;
        long timestep = 2L * (256 * 1152 + 1152 * 1152);
        long adaln = 2L * 1152 * 6 * 1152;
        long caption = 2L * 120 * (4096 * 1152 + 1152 * 1152);
        long projOut = 2L * 256 * 1152 * 2 * 2 * 8;
        assertEquals(patch + timestep + adaln + caption + projOut, PIXART_256.fixedWeightMacs());
        assertEquals(1_498_447_872L, PIXART_256.fixedWeightMacs());
    }

    @Test
    void attentionMacsAreTheTwoMatrixProductsOfEachComputedAttention() {
        MacCounter.Run run = PIXART_256.uncached(20);
        long perStep = 28L * (2L * 2 * 256 * 256 * 1152 + 2L * 2 * 256 * 120 * 1152);
        for (MacCounter.Step s : run.steps()) assertEquals(perStep, s.attentionMacs());
        assertEquals(20 * perStep, run.attentionMacs());
        assertEquals(run.weightMacs() + run.attentionMacs(), run.totalMacs());
    }

    /** The counter's idea of what runs is what the cached model actually runs. */
    @ParameterizedTest
    @ValueSource(strings = {"nocache", "fora2", "mixed"})
    void countedComponentsAreTheOnesTheModelComputes(String name) throws Exception {
        CacheSchedule schedule = PixArtFixture.schedule(PixArtFixture.scheduleJson(name));
        PixArtConfig config = PixArtFixture.config();
        try (NDManager nd = NDManager.newBaseManager()) {
            PixArtTransformer model = new PixArtTransformer(nd, config);
            Map<String, NDArray> io = SafeTensors.read(PixArtFixture.io(), nd);
            NDArray captions = io.get("encoder_hidden_states");
            MacCounter counter = new MacCounter(config.dimensions(), 2, (int) captions.getShape().get(1));
            MacCounter.Run run = counter.count(schedule);
            try (CacheState cache = new CacheState(schedule, nd)) {
                for (int s = 0; s < schedule.steps(); s++) {
                    model.forward(io.get("step" + s + ".latents"), io.get("timesteps").get(s), captions,
                            io.get("encoder_attention_mask"), cache);
                    for (Component c : Component.values()) {
                        assertEquals(run.steps().get(s).computed().get(c), cache.computedCount(s, c), name + " step " + s + " " + c);
                    }
                }
            }
        }
    }

    @Property(tries = 40)
    void reusingAComponentNeverCostsMore(@ForAll @IntRange(min = 1, max = 6) int steps, @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 1000) int flip) {
        DitDimensions dims = new PixArtConfig(2, 8, 4, 8, 3, 16, true, 8, 2, null, 1000, false, 1e-6, null, null, 12).dimensions();
        MacCounter counter = new MacCounter(dims, 2, 5);
        java.util.Random random = new java.util.Random(seed);
        boolean[] genome = new boolean[steps * dims.blocks() * CacheSchedule.COMPONENTS];
        for (int i = 0; i < genome.length; i++) genome[i] = random.nextBoolean();
        int bit = flip % genome.length;
        genome[bit] = true;
        CacheSchedule recompute = CacheSchedule.fromGenome(steps, dims.blocks(), genome, "a");
        genome[bit] = false;
        CacheSchedule reuse = CacheSchedule.fromGenome(steps, dims.blocks(), genome, "b");
        MacCounter.Run more = counter.count(recompute);
        MacCounter.Run less = counter.count(reuse);
        assertTrue(less.weightMacs() <= more.weightMacs());
        assertTrue(less.attentionMacs() <= more.attentionMacs());
        assertTrue(more.weightMacs() <= counter.uncached(steps).weightMacs());
        assertTrue(less.weightMacs() >= counter.fixedWeightMacs() * steps + counter.uncached(1).weightMacs() - counter.fixedWeightMacs());
    }
}
