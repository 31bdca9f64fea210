package dev.loupe.eval;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.loupe.diffusion.Sampler;
import dev.loupe.diffusion.cache.CacheSchedule;
import java.lang.management.ManagementFactory;
import java.util.List;

/** The measurements a text-to-image model card records: render time, uncached and under caching schedules. */
public final class DitEvaluation {
    private DitEvaluation() {}

    /**
     * Times the render of {@code prompts x seeds} uncached and under each schedule in one run (see
     * {@link RenderTiming}), and describes the result for a model card.
     */
    public static JsonObject renderTime(Sampler sampler, List<String> prompts, List<Long> seeds, List<CacheSchedule> schedules,
            int warmup, int repeats) {
        try (NDManager manager = NDManager.newBaseManager();
                Sampler.Prepared batch = sampler.prepare(manager, Sampler.grid(prompts, seeds))) {
            double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            RenderTiming.Report report = RenderTiming.measure(manager, sampler, batch, schedules, warmup, repeats);
            double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            JsonObject o = new JsonObject();
            o.addProperty("batch", String.format(java.util.Locale.ROOT, "%d prompts x %d seeds = %d images (%d rows with guidance)",
                    prompts.size(), seeds.size(), batch.size(), sampler.guided() ? 2 * batch.size() : batch.size()));
            o.addProperty("steps", sampler.steps());
            o.addProperty("timing", "median of " + repeats + " runs after " + warmup + " warm-up, variants interleaved");
            o.addProperty("threads", System.getProperty("ai.djl.pytorch.num_threads", "engine default"));
            o.addProperty("load_average", String.format(java.util.Locale.ROOT, "%.1f before, %.1f after (%d cores)", loadBefore,
                    loadAfter, Runtime.getRuntime().availableProcessors()));
            o.addProperty("uncached_ms", round(report.uncached().medianMs()));
            JsonArray runs = new JsonArray();
            for (double ms : report.uncached().runsMs()) runs.add(round(ms));
            o.add("uncached_runs_ms", runs);
            JsonObject cached = new JsonObject();
            for (int i = 0; i < report.cached().size(); i++) {
                RenderTiming.Measurement m = report.cached().get(i);
                JsonObject c = new JsonObject();
                c.addProperty("ms", round(m.medianMs()));
                c.addProperty("speedup", Math.round(report.speedup(i) * 100) / 100.0);
                c.addProperty("psnr_db_vs_uncached", Math.round(m.psnrDb() * 10) / 10.0);
                c.addProperty("recomputed_components", schedules.get(i).recomputeCount() + " of " + schedules.get(i).size());
                cached.add(m.name(), c);
            }
            o.add("cached", cached);
            return o;
        }
    }

    private static double round(double ms) {
        return Math.round(ms * 10) / 10.0;
    }
}
