package dev.loupe.ecad;

import com.google.gson.FormattingStyle;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.loupe.LoupeException;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.Component;
import dev.loupe.tensor.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One ECAD schedule file: the {@code cache_schedule} (bits of a {@link CacheSchedule}, PixArt layout), the
 * generation {@code config} and the measured {@code metrics}, in the JSON that ECAD's own code reads and writes
 * ({@code CacheSchedule.to_dict}). Immutable.
 *
 * <p>The whole document is kept, so keys Loupe does not know (anywhere: top level, config, metrics,
 * cache_schedule, attributes, per-block entries such as {@code custom_compute_attn}) survive a read and a write.
 * Files made here get ECAD's {@code attributes} (num_affected_steps, num_affected_blocks,
 * total_num_affected_blocks) computed as ECAD's population manager does.
 */
public final class ScheduleFile {
    /** The keys of the ECAD document Loupe reads and writes. */
    static final String CACHE_SCHEDULE = "cache_schedule", CONFIG = "config", METRICS = "metrics",
            NUM_BLOCKS = "num_blocks", NUM_STEPS = "num_inference_steps", NAME = "name", ATTRIBUTES = "attributes",
            SCHEDULE = "schedule", BY_STEP = "by_inference_step", LATENCY = "latency";

    private static final Gson GSON = new GsonBuilder()
            .setFormattingStyle(FormattingStyle.PRETTY.withIndent("    ")) // ECAD writes json.dump(indent=4)
            .disableHtmlEscaping()
            .serializeNulls() // an unknown key whose value is null must survive too
            .create();

    private final JsonObject document;
    private final CacheSchedule schedule;
    private final String source;

    /** {@code document} must already be consistent with {@code schedule}; both are owned by the new instance. */
    private ScheduleFile(JsonObject document, CacheSchedule schedule, String source) {
        this.document = document;
        this.schedule = schedule;
        this.source = source;
    }

    /** Reads and checks a schedule file; any problem is a {@link LoupeException} that names the file. */
    public static ScheduleFile read(Path file) {
        return parse(ScheduleJson.readText(file), file.toString());
    }

    /**
     * Parses the text of a schedule file. {@code sourceName} (a file name, usually) starts every error message.
     * A FLUX schedule is refused with a {@link FluxScheduleException} that still carries its statistics.
     */
    public static ScheduleFile parse(String json, String sourceName) {
        String source = sourceName == null || sourceName.isBlank() ? "schedule" : sourceName;
        JsonObject document = ScheduleJson.parseDocument(json, source);
        CacheSchedule schedule = new ScheduleReader(document, source).read();
        return new ScheduleFile(document, schedule, source);
    }

    /** A new file for {@code schedule}, with empty config and metrics until the builder sets them. */
    public static Builder builder(CacheSchedule schedule) {
        return new Builder(schedule);
    }

    /** A builder that starts from everything in this file (unknown keys included). */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public CacheSchedule schedule() {
        return schedule;
    }

    /** The schedule's name ({@code cache_schedule.name}); empty when the file has none. */
    public String name() {
        return schedule.name();
    }

    public int steps() {
        return schedule.steps();
    }

    public int blocks() {
        return schedule.blocks();
    }

    /** Where the file came from (its path, or the source name given to {@link #parse}). */
    public String source() {
        return source;
    }

    /** A copy of {@code config} (an empty object when the file has none). */
    public JsonObject config() {
        return objectOrEmpty(CONFIG);
    }

    /** A copy of {@code metrics} (an empty object when the file has none). */
    public JsonObject metrics() {
        return objectOrEmpty(METRICS);
    }

    /** A copy of {@code cache_schedule.attributes} (an empty object when the file has none). */
    public JsonObject attributes() {
        JsonElement a = document.getAsJsonObject(CACHE_SCHEDULE).get(ATTRIBUTES);
        return a != null && a.isJsonObject() ? a.getAsJsonObject().deepCopy() : new JsonObject();
    }

    /** The model the schedule was made for ({@code config.transformer_weights}), if the file says. */
    public Optional<String> model() {
        return Json.string(config(), "transformer_weights");
    }

    /** Total multiply-accumulates of one generation in tera-MACs ({@code metrics.total_macs_T}), if measured. */
    public OptionalDouble totalMacsT() {
        JsonObject m = metrics();
        OptionalDouble t = Json.number(m, "total_macs_T");
        if (t.isPresent()) return t;
        OptionalDouble macs = Json.number(m, "total_macs");
        return macs.isPresent() ? OptionalDouble.of(macs.getAsDouble() / 1e12) : OptionalDouble.empty();
    }

    /** MACs per denoising step ({@code metrics.by_inference_step.NNN.macs}), if every step has them. */
    public Optional<long[]> macsPerStep() {
        JsonElement byStep = metrics().get(BY_STEP);
        if (byStep == null || !byStep.isJsonObject()) return Optional.empty();
        long[] macs = new long[steps()];
        for (int s = 0; s < macs.length; s++) {
            JsonElement step = byStep.getAsJsonObject().get(ScheduleJson.stepKey(s));
            if (step == null || !step.isJsonObject()) return Optional.empty();
            JsonElement m = step.getAsJsonObject().get("macs");
            Optional<Long> whole = Json.wholeNumber(m);
            if (whole.isEmpty()) return Optional.empty();
            macs[s] = whole.get();
        }
        return Optional.of(macs);
    }

    /** The measured latency ({@code metrics.latency}), if the file has a well-formed one. */
    public Optional<Latency> latency() {
        JsonElement l = metrics().get(LATENCY);
        return l != null && l.isJsonObject() ? Latency.fromJson(l.getAsJsonObject()) : Optional.empty();
    }

    /**
     * Checks that the schedule fits a model that runs {@code steps} denoising steps through {@code blocks}
     * transformer blocks; returns this file, or throws a {@link LoupeException} naming the file.
     */
    public ScheduleFile validateFor(int steps, int blocks) {
        if (steps != steps() || blocks != blocks()) {
            throw new LoupeException(source + ": the schedule is for " + steps() + " steps x " + blocks()
                    + " blocks, but the model runs " + steps + " steps x " + blocks + " blocks");
        }
        return this;
    }

    /** The ECAD JSON text (indented by four spaces, as ECAD writes it). */
    public String toJson() {
        return GSON.toJson(document);
    }

    /** A copy of the whole JSON document. */
    public JsonObject toJsonTree() {
        return document.deepCopy();
    }

    /** Writes the file atomically (a temporary file moved into place); failures name the file. */
    public void write(Path file) {
        try {
            AtomicFiles.writeString(file, toJson() + "\n");
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot write the schedule: " + e.getMessage(), e);
        }
    }

    /** Statistics for display: per component and per step, how many bits say recompute. */
    public ScheduleStats stats() {
        return ScheduleStats.of(schedule);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScheduleFile f && f.schedule.equals(schedule) && f.document.equals(document)
                && f.schedule.name().equals(schedule.name());
    }

    @Override
    public int hashCode() {
        return Objects.hash(schedule, document);
    }

    @Override
    public String toString() {
        return "ScheduleFile[" + source + ", " + schedule + "]";
    }

    private JsonObject objectOrEmpty(String key) {
        JsonElement e = document.get(key);
        return e != null && e.isJsonObject() ? e.getAsJsonObject().deepCopy() : new JsonObject();
    }

    /**
     * ECAD's {@code compute_additional_info}: how many steps have at least one cached component, how many distinct
     * blocks are ever cached, and how many (step, block) pairs cache at least one component.
     */
    static JsonObject affectedAttributes(CacheSchedule s) {
        int affectedSteps = 0, pairs = 0;
        boolean[] blockAffected = new boolean[s.blocks()];
        for (int step = 0; step < s.steps(); step++) {
            boolean stepAffected = false;
            for (int b = 0; b < s.blocks(); b++) {
                boolean cached = false;
                for (Component c : Component.values()) cached |= !s.recompute(step, b, c);
                if (cached) {
                    stepAffected = true;
                    blockAffected[b] = true;
                    pairs++;
                }
            }
            if (stepAffected) affectedSteps++;
        }
        int blocks = 0;
        for (boolean a : blockAffected) if (a) blocks++;
        JsonObject a = new JsonObject();
        a.addProperty("num_affected_steps", affectedSteps);
        a.addProperty("num_affected_blocks", blocks);
        a.addProperty("total_num_affected_blocks", pairs);
        return a;
    }

    /** Measured wall-clock latency in ECAD's layout ({@code compute_latency.py}); times in milliseconds. */
    public record Latency(double avg, int batchSize, int numSamples, int warmupSteps, String gpu,
                          List<Double> warmups, List<Double> latencies) {
        public Latency {
            Objects.requireNonNull(gpu, "gpu");
            warmups = List.copyOf(warmups);
            latencies = List.copyOf(latencies);
            if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive: " + batchSize);
            for (double d : latencies) requireFinite(d);
            for (double d : warmups) requireFinite(d);
            requireFinite(avg);
        }

        /**
         * A latency from its measured times, as ECAD's compute_latency.py records it: avg is the mean of the
         * timed samples; the warm-up runs are kept apart. {@code device} is the GPU name there, the CPU's here.
         */
        public static Latency measured(int batchSize, String device, List<Double> warmups, List<Double> latencies) {
            if (latencies.isEmpty()) throw new IllegalArgumentException("no timed samples");
            double avg = latencies.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            return new Latency(avg, batchSize, latencies.size(), warmups.size(), device, warmups, latencies);
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("avg", avg);
            o.addProperty("batch_size", batchSize);
            o.addProperty("num_samples", numSamples);
            o.addProperty("warmup_steps", warmupSteps);
            o.addProperty("gpu", gpu);
            o.add("warmups", Json.array(warmups));
            o.add("latencies", Json.array(latencies));
            return o;
        }

        static Optional<Latency> fromJson(JsonObject o) {
            OptionalDouble avg = Json.number(o, "avg"), batch = Json.number(o, "batch_size"),
                    samples = Json.number(o, "num_samples"), warm = Json.number(o, "warmup_steps");
            Optional<List<Double>> warmups = Json.numbers(o, "warmups"), latencies = Json.numbers(o, "latencies");
            if (avg.isEmpty() || batch.isEmpty() || batch.getAsDouble() < 1 || latencies.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Latency(avg.getAsDouble(), (int) batch.getAsDouble(),
                    samples.isPresent() ? (int) samples.getAsDouble() : latencies.get().size(),
                    warm.isPresent() ? (int) warm.getAsDouble() : warmups.map(List::size).orElse(0),
                    Json.string(o, "gpu").orElse(""), warmups.orElse(List.of()), latencies.get()));
        }

        private static void requireFinite(double d) {
            if (!Double.isFinite(d)) throw new IllegalArgumentException("latency must be finite: " + d);
        }
    }

    /**
     * Makes a schedule file: from a {@link CacheSchedule} (empty config and metrics) or from an existing file
     * (everything kept). Changing the bits of an existing file recomputes its affected-block attributes and drops
     * its metrics, which described the old bits.
     */
    public static final class Builder {
        private final JsonObject document;
        private final CacheSchedule original;
        private final boolean fresh;
        private final String source;
        private CacheSchedule schedule;
        private String name;
        private boolean configTouched;

        private Builder(CacheSchedule schedule) {
            this.document = new JsonObject();
            this.original = null;
            this.fresh = true;
            this.source = null;
            this.schedule = Objects.requireNonNull(schedule, "schedule");
            this.name = schedule.name().isEmpty() ? "loupe" : schedule.name();
        }

        private Builder(ScheduleFile file) {
            this.document = file.document.deepCopy();
            this.original = file.schedule;
            this.fresh = false;
            this.source = file.source;
            this.schedule = file.schedule;
            this.name = file.schedule.name();
        }

        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        public Builder schedule(CacheSchedule schedule) {
            this.schedule = Objects.requireNonNull(schedule, "schedule");
            return this;
        }

        /** The model's weights, ECAD's {@code config.transformer_weights} (a name or a path). */
        public Builder model(String transformerWeights) {
            return config("transformer_weights", new JsonPrimitive(transformerWeights));
        }

        /** The image size, ECAD's {@code config.height} and {@code config.width}. */
        public Builder resolution(int height, int width) {
            if (height <= 0 || width <= 0) throw new IllegalArgumentException("resolution " + height + "x" + width);
            config("height", new JsonPrimitive(height));
            return config("width", new JsonPrimitive(width));
        }

        /** The classifier-free guidance scale, ECAD's {@code config.guidance_scale}. */
        public Builder guidance(double scale) {
            return config("guidance_scale", new JsonPrimitive(scale));
        }

        /** Any other config key (ECAD's generator reads e.g. {@code pipeline}, {@code pipeline_weights}). */
        public Builder config(String key, JsonElement value) {
            section(CONFIG).add(key, value.deepCopy());
            configTouched = true;
            return this;
        }

        /** An extra attribute (a heuristic's parameters, say); ECAD keeps them beside the affected counts. */
        public Builder attribute(String key, JsonElement value) {
            attributesOf(cacheSchedule()).add(key, value.deepCopy());
            return this;
        }

        /** MACs of each denoising step; also sets {@code total_macs} and {@code total_macs_T} (tera = 1000^4). */
        public Builder macs(long... perStepMacs) {
            return perStep("macs", "total_macs", "total_macs_T", perStepMacs);
        }

        /** FLOPs of each denoising step; also sets {@code total_flops} and {@code total_flops_T}. */
        public Builder flops(long... perStepFlops) {
            return perStep("flops", "total_flops", "total_flops_T", perStepFlops);
        }

        public Builder latency(Latency latency) {
            section(METRICS).add(LATENCY, latency.toJson());
            return this;
        }

        /** Any other metric. */
        public Builder metric(String key, JsonElement value) {
            section(METRICS).add(key, value.deepCopy());
            return this;
        }

        public ScheduleFile build() {
            CacheSchedule named = schedule.named(name);
            JsonObject cs = cacheSchedule();
            boolean sameBits = original != null && original.equals(schedule);
            boolean sameShape = original != null && original.steps() == schedule.steps()
                    && original.blocks() == schedule.blocks();
            if (fresh || !sameBits) {
                if (!fresh && document.has(METRICS)) document.remove(METRICS);
                cs.addProperty(NUM_BLOCKS, schedule.blocks());
                cs.addProperty(NUM_STEPS, schedule.steps());
                JsonObject attributes = attributesOf(cs);
                affectedAttributes(schedule).entrySet().forEach(e -> attributes.add(e.getKey(), e.getValue()));
                JsonObject steps = sameShape && cs.get(SCHEDULE) instanceof JsonObject o ? o : new JsonObject();
                ScheduleJson.writeBits(schedule, steps);
                cs.add(SCHEDULE, steps);
            }
            if (fresh || !name.equals(original.name()) || cs.has(NAME)) cs.addProperty(NAME, name);
            if (configTouched) section(CONFIG).addProperty(NUM_STEPS, schedule.steps());
            if (fresh) {
                section(CONFIG);
                section(METRICS);
            }
            JsonObject out = fresh ? ScheduleJson.ecadOrder(document) : document;
            String source = this.source != null ? this.source : name.isEmpty() ? "schedule" : name;
            return new ScheduleFile(out, named, source);
        }

        private Builder perStep(String key, String totalKey, String teraKey, long[] perStep) {
            if (perStep.length != schedule.steps()) {
                throw new IllegalArgumentException(perStep.length + " " + key + " values for " + schedule.steps()
                        + " steps");
            }
            JsonObject metrics = section(METRICS);
            JsonObject byStep = metrics.get(BY_STEP) instanceof JsonObject o ? o : new JsonObject();
            long total = 0;
            for (int s = 0; s < perStep.length; s++) {
                String k = ScheduleJson.stepKey(s);
                JsonObject entry = byStep.get(k) instanceof JsonObject o ? o : new JsonObject();
                entry.addProperty(key, perStep[s]);
                byStep.add(k, entry);
                total = Math.addExact(total, perStep[s]);
            }
            metrics.add(BY_STEP, byStep);
            metrics.addProperty(totalKey, total);
            metrics.addProperty(teraKey, total / 1e12);
            return this;
        }

        private JsonObject cacheSchedule() {
            return section(CACHE_SCHEDULE);
        }

        private JsonObject section(String key) {
            if (!(document.get(key) instanceof JsonObject o)) {
                JsonObject created = new JsonObject();
                document.add(key, created);
                return created;
            }
            return o;
        }

        private static JsonObject attributesOf(JsonObject cs) {
            if (!(cs.get(ATTRIBUTES) instanceof JsonObject o)) {
                JsonObject created = new JsonObject();
                cs.add(ATTRIBUTES, created);
                return created;
            }
            return o;
        }
    }

    /** Small, lenient readers for optional JSON values (metrics and config are free-form). */
    static final class Json {
        private Json() {}

        static OptionalDouble number(JsonObject o, String key) {
            JsonElement e = o.get(key);
            if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) return OptionalDouble.empty();
            double d = e.getAsDouble();
            return Double.isFinite(d) ? OptionalDouble.of(d) : OptionalDouble.empty();
        }

        /** A JSON integer that fits a long, exactly (MAC counts pass 2^53 in large models). */
        static Optional<Long> wholeNumber(JsonElement e) {
            if (!(e instanceof JsonPrimitive p) || !p.isNumber()) return Optional.empty();
            try {
                return Optional.of(p.getAsBigDecimal().longValueExact());
            } catch (ArithmeticException | NumberFormatException notWhole) {
                return Optional.empty();
            }
        }

        static Optional<String> string(JsonObject o, String key) {
            JsonElement e = o.get(key);
            return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()
                    ? Optional.of(e.getAsString()) : Optional.empty();
        }

        static Optional<List<Double>> numbers(JsonObject o, String key) {
            JsonElement e = o.get(key);
            if (e == null || !e.isJsonArray()) return Optional.empty();
            List<Double> out = new ArrayList<>();
            for (JsonElement x : e.getAsJsonArray()) {
                if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) return Optional.empty();
                double d = x.getAsDouble();
                if (!Double.isFinite(d)) return Optional.empty();
                out.add(d);
            }
            return Optional.of(out);
        }

        static JsonArray array(List<Double> values) {
            JsonArray a = new JsonArray();
            values.forEach(a::add);
            return a;
        }
    }
}
