package dev.loupe.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.Offline;
import dev.loupe.tensor.SafeTensors;
import dev.loupe.upsample.Upsampler;
import java.nio.file.Path;
import java.util.Map;

/**
 * One upsampler, one input, one run, in a JVM of its own: the bench's way of measuring peak memory per method and
 * size in isolation. In one long-lived process, memory that libtorch and the C allocator have freed but kept stays
 * resident, so the peak of a later run would reuse what an earlier one left behind (and depend on the order); a fresh
 * process starts every measurement from the same state.
 *
 * <p>Arguments: {@code NAME SOURCE CHANNELS PATCH INPUTS.safetensors OUT_H OUT_W CHUNK_BYTES}; the inputs file holds
 * {@code image} {@code [1,3,H,W]} and {@code features} {@code [1,C,h,w]}. The child opens the upsampler
 * ({@link BenchMethod#open}), loads the inputs, runs once on a tiny input (engine threads, first-call setup), then
 * resets the peak and measures one run: the peak resident memory above the resident memory just before the call
 * (weights and inputs loaded) is what the call itself needs, output included. It prints one JSON line:
 * {@code peak_bytes}, {@code baseline_bytes}, {@code since_reset}, {@code ms}, {@code cpu_ms}, or {@code error}.
 */
public final class IsolatedRun {
    private IsolatedRun() {}

    public static void main(String[] args) {
        Offline.enforce();
        JsonObject out = new JsonObject();
        int code = 0;
        try {
            if (args.length != 8) throw new LoupeException("expected NAME SOURCE CHANNELS PATCH INPUTS OUT_H OUT_W CHUNK_BYTES, got " + args.length + " arguments");
            BenchMethod method = new BenchMethod(args[0], args[1]);
            int channels = Integer.parseInt(args[2]);
            int patch = Integer.parseInt(args[3]);
            Path inputs = Path.of(args[4]);
            int outH = Integer.parseInt(args[5]);
            int outW = Integer.parseInt(args[6]);
            long chunk = Long.parseLong(args[7]);
            try (Upsampler u = method.open(channels, patch, chunk); NDManager io = NDManager.newBaseManager()) {
                Map<String, NDArray> in = SafeTensors.read(inputs, io);
                NDArray image = in.get("image");
                NDArray features = in.get("features");
                if (image == null || features == null) throw new LoupeException(inputs + " needs tensors 'image' and 'features'");
                try (NDManager warm = io.newSubManager()) {
                    NDArray tinyImage = warm.randomUniform(0, 1, new Shape(1, 3, 2L * patch, 2L * patch));
                    NDArray tinyFeatures = warm.randomNormal(new Shape(1, channels, 2, 2));
                    u.upsample(tinyImage, tinyFeatures, 2 * patch, 2 * patch).close();
                }
                long[] cpu = new long[2];
                long[] wall = new long[2];
                PeakMemory.Measurement m = PeakMemory.during(() -> {
                    cpu[0] = Timing.processCpuNanos();
                    wall[0] = System.nanoTime();
                    u.upsample(image, features, outH, outW).close();
                    wall[1] = System.nanoTime();
                    cpu[1] = Timing.processCpuNanos();
                });
                out.addProperty("peak_bytes", m.peakBytes());
                out.addProperty("baseline_bytes", m.baselineBytes());
                out.addProperty("since_reset", m.sinceReset());
                out.addProperty("ms", (wall[1] - wall[0]) / 1e6);
                out.addProperty("cpu_ms", cpu[0] < 0 ? Double.NaN : (cpu[1] - cpu[0]) / 1e6);
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            out.addProperty("error", LoupeException.userMessage(e));
            code = 1;
        }
        System.out.println(out);
        System.out.flush();
        System.exit(code);
    }
}
