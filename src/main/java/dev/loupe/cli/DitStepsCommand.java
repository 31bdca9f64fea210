package dev.loupe.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.loupe.LoupeException;
import dev.loupe.diffusion.PixArtConfig;
import dev.loupe.diffusion.PixArtTransformer;
import dev.loupe.diffusion.SizeConditions;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.CacheState;
import dev.loupe.diffusion.cache.Component;
import dev.loupe.tensor.SafeTensors;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "steps", mixinStandardHelpOptions = true, description = {
        "Run a PixArt transformer on given inputs for N steps in order, optionally",
        "under an ECAD cache schedule, and save its outputs (to check a ported",
        "checkpoint against diffusers).",
        "IO.safetensors holds encoder_hidden_states [B,L,C], encoder_attention_mask",
        "[B,L] (optional; 1 keep, 0 drop), timesteps [N] or [N,B], stepS.latents",
        "[B,in,H,W] for S = 0..N-1, and for size-conditioned models resolution [B,2]",
        "and aspect_ratio [B,1]. OUT.safetensors gets stepS.out [B,out,H,W]."})
public final class DitStepsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--weights", required = true, paramLabel = "W.safetensors",
            description = "diffusers-format weights: a .safetensors file, a sharded checkpoint's .index.json, or their folder.")
    Path weights;

    @Option(names = "--config", required = true, paramLabel = "CONFIG.json",
            description = "The transformer's diffusers config.json (or a JSON object holding one under \"config\").")
    Path config;

    @Option(names = "--io", required = true, paramLabel = "IO.safetensors", description = "The inputs (see above).")
    Path io;

    @Option(names = "--schedule", paramLabel = "S.json", description = "An ECAD cache schedule for the N steps (default: nothing cached).")
    Path schedule;

    @Option(names = "--out", required = true, paramLabel = "OUT.safetensors", description = "Where to write stepS.out.")
    Path out;

    @Override
    public Integer call() throws IOException {
        PrintWriter log = spec.commandLine().getOut();
        PixArtConfig cfg = PixArtConfig.read(config);
        try (NDManager nd = NDManager.newBaseManager()) {
            PixArtTransformer model = PixArtTransformer.load(nd, cfg, weights);
            Map<String, NDArray> inputs = SafeTensors.read(io, nd);
            int steps = countSteps(inputs);
            NDArray captions = required(inputs, "encoder_hidden_states").toType(DataType.FLOAT32, false);
            NDArray mask = inputs.get("encoder_attention_mask");
            NDArray timesteps = required(inputs, "timesteps");
            if (timesteps.getShape().dimension() == 0 || timesteps.getShape().get(0) != steps) {
                throw new LoupeException(io + ": timesteps of shape " + timesteps.getShape() + " do not fit " + steps
                        + " steps (expected [" + steps + "] or [" + steps + ", B])");
            }
            SizeConditions size = cfg.sizeConditioned()
                    ? new SizeConditions(required(inputs, "resolution").toType(DataType.FLOAT32, false),
                            required(inputs, "aspect_ratio").toType(DataType.FLOAT32, false))
                    : null;
            CacheSchedule plan = schedule == null
                    ? CacheSchedule.noCache(steps, cfg.numLayers())
                    : ScheduleFiles.read(schedule, steps, cfg.numLayers());
            log.printf(Locale.ROOT, "%d steps, %d blocks, %s%n", steps, cfg.numLayers(),
                    schedule == null ? "nothing cached" : "schedule " + schedule);
            log.flush();
            ProgressLine progress = new ProgressLine(System.err);
            Map<String, NDArray> results = new LinkedHashMap<>();
            long start = System.nanoTime();
            try (CacheState cache = new CacheState(plan, nd)) {
                for (int s = 0; s < steps; s++) {
                    long t0 = System.nanoTime();
                    NDArray latents = inputs.get("step" + s + ".latents").toType(DataType.FLOAT32, false);
                    NDArray result = model.forward(latents, timesteps.get(s), captions, mask, size, cache);
                    results.put("step" + s + ".out", result);
                    progress.update((s + 1.0) / steps, String.format(Locale.ROOT,
                            "step %d/%d in %.2f s (computed attn1 %d, attn2 %d, ff %d of %d blocks)", s + 1, steps,
                            (System.nanoTime() - t0) / 1e9, cache.computedCount(s, Component.ATTN1),
                            cache.computedCount(s, Component.ATTN2), cache.computedCount(s, Component.FF), cfg.numLayers()));
                }
            }
            progress.finish();
            SafeTensors.write(out, results);
            log.printf(Locale.ROOT, "wrote %d outputs to %s (%.2f s)%n", steps, out, (System.nanoTime() - start) / 1e9);
            log.flush();
        }
        return 0;
    }

    /** N, from the keys step0.latents .. step{N-1}.latents, which must have no gaps. */
    private int countSteps(Map<String, NDArray> inputs) {
        int n = 0;
        while (inputs.containsKey("step" + n + ".latents")) n++;
        if (n == 0) throw new LoupeException(io + " holds no step0.latents");
        for (String key : inputs.keySet()) {
            if (key.matches("step\\d+\\.latents") && Integer.parseInt(key.substring(4, key.indexOf('.'))) >= n) {
                throw new LoupeException(io + " holds " + key + " but no step" + n + ".latents (steps must run 0..N-1)");
            }
        }
        Shape first = inputs.get("step0.latents").getShape();
        for (int s = 1; s < n; s++) {
            if (!inputs.get("step" + s + ".latents").getShape().equals(first)) {
                throw new LoupeException(io + ": step" + s + ".latents has shape " + inputs.get("step" + s + ".latents").getShape()
                        + ", step0.latents " + first);
            }
        }
        return n;
    }

    private NDArray required(Map<String, NDArray> inputs, String key) {
        NDArray a = inputs.get(key);
        if (a == null) throw new LoupeException(io + " holds no " + key);
        return a;
    }
}
