package dev.loupe.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loupe.LoupeException;
import dev.loupe.Progress;
import dev.loupe.backbone.Backbone;
import dev.loupe.models.LoupeHome;
import dev.loupe.tensor.SafeTensors;
import dev.loupe.upsample.Upsampler;
import dev.loupe.world.WorldBatch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Upsamplers side by side on one backbone: quality on held-out ShapesWorld scenes ({@link UpsamplerEvaluation}),
 * then time and peak memory per image at several input sizes with pixel-dense output (batch 1).
 *
 * <p><b>Time</b> is measured in this process with the methods interleaved: after the warm-up runs, every round times
 * one run of each method in turn, so that load from other work on a shared machine falls on all of them alike and
 * their ratios hold even when absolute times drift. Each method gets {@code runs} timed runs, fewer (at least one)
 * once its timed runs add up to {@code maxSecondsPerMethod}. Wall-clock and process CPU time are both kept (medians).
 * The backbone's own time is not counted: its features are computed once per size, before.
 *
 * <p><b>Memory</b> is the peak resident memory a call needs above what the process held just before it (weights,
 * inputs, engine), output included, measured in a fresh JVM per method and size ({@link IsolatedRun}) under an
 * address-space cap, so that one method's freed-but-kept memory never hides in another's figure and a method that
 * would need more than the cap fails there instead of swapping the machine. {@link MemoryIsolation#IN_PROCESS}
 * measures in this process instead (faster, for tests; order-dependent).
 *
 * <p>A method that fails at a size (out of memory, for example) is reported as stopping there and is not run at larger
 * sizes.
 */
public final class UpsamplerBench {
    /** Where peak memory is measured. */
    public enum MemoryIsolation { CHILD, IN_PROCESS }

    /**
     * @param childAddressSpaceBytes address-space limit of each child JVM (its heap reservation included); 0: none
     * @param qualityScenes held-out scenes for the quality metrics (0: no quality metrics)
     * @param backboneZooms  with quality: also score the backbone's own features of the image enlarged by each of
     *                       these factors ({@link EnlargedImageFeatures}), as references beside the upsamplers
     */
    public record Settings(int[] sizes, int warmup, int runs, double maxSecondsPerMethod, MemoryIsolation memory, long chunkBytes,
            long childAddressSpaceBytes, int qualityScenes, int probeScenes, int[] backboneZooms) {
        public Settings {
            if (sizes.length == 0) throw new LoupeException("no input sizes to measure");
            for (int s : sizes) if (s < 1) throw new LoupeException("input sizes must be positive, got " + s);
            if (runs < 1 || warmup < 0) throw new LoupeException("runs must be at least 1 and warm-up runs not negative");
            for (int z : backboneZooms) EnlargedImageFeatures.requireZoom(z);
            sizes = sizes.clone();
            backboneZooms = java.util.Arrays.stream(backboneZooms).distinct().toArray();
        }

        @Override
        public int[] sizes() {
            return sizes.clone();
        }

        @Override
        public int[] backboneZooms() {
            return backboneZooms.clone();
        }

        /** The same settings without quality metrics. */
        public Settings withoutQuality() {
            return new Settings(sizes, warmup, runs, maxSecondsPerMethod, memory, chunkBytes, childAddressSpaceBytes, 0, probeScenes, backboneZooms);
        }
    }

    /** The backbone's own features of the image enlarged {@code zoom} times, scored like an upsampler. */
    public record Reference(int zoom, UpsamplerEvaluation.Scores quality) {
        public String name() {
            return EnlargedImageFeatures.name(zoom);
        }
    }

    /** One method at one size. {@code error} is null when it ran; memory is NaN when not measured. */
    public record Cell(int size, long pixels, double medianMs, double medianCpuMs, double[] runsMs, double peakMb, double baselineMb,
            String error) {
        public boolean ok() {
            return error == null;
        }
    }

    /** One method: its parameters, quality (null when not measured) and cells in size order. */
    public record Row(BenchMethod method, long parameters, UpsamplerEvaluation.Scores quality, List<Cell> cells) {
        public Cell at(int size) {
            return cells.stream().filter(c -> c.size() == size).findFirst().orElse(null);
        }

        /** Least-squares slope of log time against log pixels over the sizes that ran (NaN with fewer than two). */
        public double timeExponent(boolean cpu) {
            List<double[]> points = new ArrayList<>();
            for (Cell c : cells) {
                double t = cpu ? c.medianCpuMs() : c.medianMs();
                if (c.ok() && t > 0 && Double.isFinite(t)) points.add(new double[] {Math.log(c.pixels()), Math.log(t)});
            }
            return slope(points);
        }
    }

    /** Everything measured on one backbone. */
    public record Report(String backbone, int channels, int patch, Settings settings, int qualitySize, List<Row> rows,
            List<Reference> references, JsonObject machine) {
        public Row row(String method) {
            return rows.stream().filter(r -> r.method().name().equals(method)).findFirst().orElse(null);
        }
    }

    private UpsamplerBench() {}

    static double slope(List<double[]> points) {
        if (points.size() < 2) return Double.NaN;
        double mx = points.stream().mapToDouble(p -> p[0]).average().orElseThrow();
        double my = points.stream().mapToDouble(p -> p[1]).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        for (double[] p : points) {
            sxy += (p[0] - mx) * (p[1] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }

    /** The side, closest to the backbone's preferred size, at which quality is scored (a multiple of 4 patches). */
    public static int qualitySize(Backbone backbone) {
        int unit = 4 * backbone.patchSize();
        return Math.max(unit, Math.round((float) backbone.preferredSize() / unit) * unit);
    }

    public static Report run(Backbone backbone, List<BenchMethod> methods, Settings settings, Progress progress) {
        int channels = backbone.channels();
        int patch = backbone.patchSize();
        for (int s : settings.sizes()) {
            if (s % patch != 0) throw new LoupeException("input size " + s + " is not a multiple of the backbone's patch " + patch);
        }
        JsonObject machine = machine();
        Map<String, Upsampler> open = new LinkedHashMap<>();
        try {
            for (BenchMethod m : methods) open.put(m.name(), m.open(channels, patch, settings.chunkBytes()));
            int qualitySize = qualitySize(backbone);
            Map<String, Upsampler> scored = new LinkedHashMap<>(open);
            for (int zoom : settings.backboneZooms()) scored.put(EnlargedImageFeatures.name(zoom), new EnlargedImageFeatures(backbone, zoom));
            Map<String, UpsamplerEvaluation.Scores> quality = settings.qualityScenes() > 0
                    ? UpsamplerEvaluation.evaluate(backbone, scored, qualitySize, settings.qualityScenes(), UpsamplerEvaluation.PROBE_SEED, settings.probeScenes(), progress)
                    : Map.of();
            List<Reference> references = new ArrayList<>();
            for (int zoom : settings.backboneZooms()) {
                UpsamplerEvaluation.Scores q = quality.get(EnlargedImageFeatures.name(zoom));
                if (q != null) references.add(new Reference(zoom, q));
            }
            Map<String, List<Cell>> cells = new LinkedHashMap<>();
            methods.forEach(m -> cells.put(m.name(), new ArrayList<>()));
            for (int size : settings.sizes()) {
                measureSize(backbone, methods, open, settings, size, cells, progress);
            }
            List<Row> rows = new ArrayList<>();
            for (BenchMethod m : methods) rows.add(new Row(m, open.get(m.name()).parameterCount(), quality.get(m.name()), cells.get(m.name())));
            machine.addProperty("load_average_after", loadAverage());
            return new Report(backbone.name(), channels, patch, settings, settings.qualityScenes() > 0 ? qualitySize : 0, rows,
                    List.copyOf(references), machine);
        } finally {
            open.values().forEach(Upsampler::close);
        }
    }

    private static void measureSize(Backbone backbone, List<BenchMethod> methods, Map<String, Upsampler> open, Settings settings, int size,
            Map<String, List<Cell>> cells, Progress progress) {
        List<BenchMethod> live = methods.stream().filter(m -> cells.get(m.name()).stream().allMatch(Cell::ok)).toList();
        try (NDManager io = NDManager.newBaseManager()) {
            NDArray image;
            try (WorldBatch scene = WorldBatch.render(io, 0, 1, size)) {
                image = scene.images().duplicate();
                image.attach(io);
            }
            NDArray features = backbone.extract(image);
            Map<String, List<double[]>> times = new LinkedHashMap<>(); // per run: wall ms, CPU ms
            Map<String, String> errors = new LinkedHashMap<>();
            for (BenchMethod m : live) times.put(m.name(), new ArrayList<>());
            for (int w = 0; w < settings.warmup(); w++) {
                for (BenchMethod m : live) {
                    progress.update(-1, String.format(Locale.ROOT, "%d px: warming up %s", size, m.name()));
                    once(open.get(m.name()), image, features, size, m.name(), errors);
                }
            }
            for (int round = 0; round < settings.runs(); round++) {
                for (BenchMethod m : live) {
                    List<double[]> t = times.get(m.name());
                    double spent = t.stream().mapToDouble(v -> v[0]).sum() / 1000;
                    if (errors.containsKey(m.name()) || (!t.isEmpty() && spent >= settings.maxSecondsPerMethod())) continue;
                    if (progress.isCancelled()) throw new CancellationException("bench cancelled");
                    progress.update(-1, String.format(Locale.ROOT, "%d px: timing %s (run %d of %d)", size, m.name(), round + 1, settings.runs()));
                    double[] run = once(open.get(m.name()), image, features, size, m.name(), errors);
                    if (run != null) t.add(run);
                }
            }
            Path inputs = null;
            try {
                if (settings.memory() == MemoryIsolation.CHILD) {
                    inputs = Files.createTempFile("loupe-bench-" + size + "-", ".safetensors");
                    SafeTensors.write(inputs, Map.of("image", image, "features", features));
                }
                for (BenchMethod m : live) {
                    String error = errors.get(m.name());
                    double[] memory = {Double.NaN, Double.NaN};
                    if (error == null) {
                        progress.update(-1, String.format(Locale.ROOT, "%d px: peak memory of %s", size, m.name()));
                        try {
                            memory = settings.memory() == MemoryIsolation.CHILD
                                    ? inChild(m, backbone, inputs, size, settings)
                                    : inProcess(open.get(m.name()), image, features, size);
                        } catch (MeasurementFailed e) {
                            error = e.getMessage();
                        }
                    }
                    List<double[]> t = times.get(m.name());
                    double[] wall = t.stream().mapToDouble(v -> v[0]).toArray();
                    double[] cpu = t.stream().mapToDouble(v -> v[1]).toArray();
                    cells.get(m.name()).add(new Cell(size, (long) size * size, Timing.median(wall), Timing.median(cpu), wall, memory[0], memory[1], error));
                }
            } catch (IOException e) {
                throw new LoupeException("cannot write the bench's inputs to a temporary file: " + e.getMessage(), e);
            } finally {
                if (inputs != null) {
                    try {
                        Files.deleteIfExists(inputs);
                    } catch (IOException ignored) {
                        // a temporary file; the OS cleans up
                    }
                }
            }
        }
    }

    /** One timed run: {wall ms, CPU ms}, or null (and the error noted) when it failed. */
    private static double[] once(Upsampler u, NDArray image, NDArray features, int size, String name, Map<String, String> errors) {
        if (errors.containsKey(name)) return null;
        long c0 = Timing.processCpuNanos();
        long t0 = System.nanoTime();
        try {
            u.upsample(image, features, size, size).close();
        } catch (RuntimeException | OutOfMemoryError e) {
            errors.put(name, LoupeException.userMessage(e));
            return null;
        }
        long t1 = System.nanoTime();
        long c1 = Timing.processCpuNanos();
        return new double[] {(t1 - t0) / 1e6, c0 < 0 ? Double.NaN : (c1 - c0) / 1e6};
    }

    private static double[] inProcess(Upsampler u, NDArray image, NDArray features, int size) {
        PeakMemory.Measurement m = PeakMemory.during(() -> u.upsample(image, features, size, size).close());
        return mb(m.peakBytes(), m.baselineBytes(), m.sinceReset());
    }

    private static double[] mb(long peak, long baseline, boolean sinceReset) {
        if (peak < 0 || baseline < 0 || !sinceReset) return new double[] {Double.NaN, Double.NaN};
        return new double[] {(peak - baseline) / (1024.0 * 1024.0), baseline / (1024.0 * 1024.0)};
    }

    /** A memory measurement that did not complete; its message says why. */
    static final class MeasurementFailed extends Exception {
        MeasurementFailed(String message) {
            super(message);
        }
    }

    private static double[] inChild(BenchMethod m, Backbone backbone, Path inputs, int size, Settings settings) throws MeasurementFailed {
        List<String> command = new ArrayList<>();
        if (settings.childAddressSpaceBytes() > 0 && Files.isExecutable(Path.of("/usr/bin/prlimit"))) {
            command.add("/usr/bin/prlimit");
            command.add("--as=" + settings.childAddressSpaceBytes());
            command.add("--");
        }
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.add("-Xmx2g");
        command.add("-Dai.djl.offline=true");
        command.add("-DOPT_OUT_TRACKING=true");
        command.add("-Dloupe.home=" + LoupeHome.get());
        // the child runs the same Local Attender kernel as this process
        if (dev.loupe.upsample.uplift.LocalAttenderKernel.VECTORISED) command.add("--add-modules=jdk.incubator.vector");
        for (String p : List.of("ai.djl.pytorch.num_threads", "ai.djl.pytorch.num_interop_threads", "java.util.concurrent.ForkJoinPool.common.parallelism")) {
            String v = System.getProperty(p);
            if (v != null) command.add("-D" + p + "=" + v);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(IsolatedRun.class.getName());
        command.addAll(List.of(m.name(), m.source(), String.valueOf(backbone.channels()), String.valueOf(backbone.patchSize()), inputs.toString(),
                String.valueOf(size), String.valueOf(size), String.valueOf(settings.chunkBytes())));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("OPT_OUT_TRACKING", "true");
        String output;
        try {
            Process p = pb.start();
            try (InputStream in = p.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(1, TimeUnit.HOURS)) {
                p.destroyForcibly();
                throw new MeasurementFailed("the measuring process did not finish within an hour");
            }
        } catch (IOException e) {
            throw new LoupeException("cannot start a JVM to measure memory: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("bench interrupted");
        }
        String json = output.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
        if (json == null) throw new MeasurementFailed("the measuring process ended without a result (killed, or out of memory)");
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        if (o.has("error")) throw new MeasurementFailed(o.get("error").getAsString());
        return mb(o.get("peak_bytes").getAsLong(), o.get("baseline_bytes").getAsLong(), o.get("since_reset").getAsBoolean());
    }

    private static double loadAverage() {
        return Math.round(java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0;
    }

    /** libtorch's environment switch for transparent huge pages under its tensors of 2 MB and more. */
    public static final String HUGE_PAGE_SWITCH = "THP_MEM_ALLOC_ENABLE";

    /** C's {@code atoi} reading: optional blanks and sign, leading zeros, then the first non-zero digit if any. */
    private static final Pattern LEADING_INTEGER = Pattern.compile("^\\s*[+-]?0*([1-9])?");

    /**
     * Whether libtorch puts tensors of 2 MB and more on transparent huge pages, for a value of
     * {@link #HUGE_PAGE_SWITCH}: read as C's {@code atoi}, any leading integer but zero turns it on.
     */
    public static boolean hugePageTensors(String switchValue) {
        if (switchValue == null) return false;
        Matcher integer = LEADING_INTEGER.matcher(switchValue);
        return integer.find() && integer.group(1) != null;
    }

    private static JsonObject machine() {
        JsonObject o = new JsonObject();
        o.addProperty("cores", Runtime.getRuntime().availableProcessors());
        o.addProperty("torch_threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
        o.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        o.addProperty("java", System.getProperty("java.version"));
        // libtorch reads this when it first allocates; it changes the times of large outputs several-fold on some machines
        o.addProperty("huge_page_tensors", hugePageTensors(System.getenv(HUGE_PAGE_SWITCH)));
        o.addProperty("load_average_before", loadAverage());
        o.addProperty("date", java.time.LocalDate.now().toString());
        return o;
    }
}
