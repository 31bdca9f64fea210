package dev.loupe.app.frontier;

import com.google.gson.JsonPrimitive;
import dev.loupe.Progress;
import dev.loupe.ecad.ScheduleFile;
import dev.loupe.search.Evaluation;
import dev.loupe.search.ScheduleEvaluator;
import dev.loupe.search.SearchSettings;
import java.nio.file.Path;
import java.util.Locale;

/** Export of a chart point as an ECAD schedule file, and import of one as a new, evaluated point. */
public final class ScheduleTransfer {
    public static final String IMPORTED = "imported";

    private ScheduleTransfer() {}

    /** A file name for the point: its name with anything unsafe replaced, ending in .json. */
    public static String fileName(Evaluation e) {
        String base = e.name() == null || e.name().isBlank() ? "schedule" : e.name();
        return base.replaceAll("[^A-Za-z0-9._-]+", "-") + ".json";
    }

    /** The point as an ECAD document: its bits, the model and sampler settings, and what the search measured. */
    public static ScheduleFile toFile(Evaluation e, SearchSettings settings) {
        ScheduleFile.Builder b = ScheduleFile.builder(e.schedule().named(e.name())).name(e.name());
        if (settings != null) {
            b.model(settings.model().toString()).guidance(settings.guidance());
        }
        b.metric("total_macs", new JsonPrimitive(e.weightMacs()));
        b.metric("total_macs_T", new JsonPrimitive(e.weightMacs() / 1e12));
        b.attribute("loupe_origin", new JsonPrimitive(e.origin() == null ? "" : e.origin()));
        b.metric("loupe_reward", new JsonPrimitive(e.reward()));
        b.metric("loupe_mac_speedup", new JsonPrimitive(e.macSpeedup()));
        if (Double.isFinite(e.measuredSpeedup())) b.metric("loupe_measured_speedup", new JsonPrimitive(e.measuredSpeedup()));
        if (Double.isFinite(e.psnr())) b.metric("loupe_psnr_db", new JsonPrimitive(e.psnr()));
        return b.build();
    }

    /** Writes the point as ECAD JSON (atomically). */
    public static void export(Evaluation e, SearchSettings settings, Path file) {
        toFile(e, settings).write(file);
    }

    /**
     * Reads a schedule file, checks it fits the run's model ({@code steps x blocks}; otherwise a {@link
     * dev.loupe.LoupeException} naming the file and both shapes), and evaluates it as the search does its candidates.
     */
    public static Evaluation importAndEvaluate(Path file, SearchSettings settings, Progress progress) {
        progress.update(-1, "reading " + file.getFileName());
        ScheduleFile read = ScheduleFile.read(file);
        if (read.steps() != settings.steps()) read.validateFor(settings.steps(), read.blocks()); // fail before loading
        progress.update(-1, "loading the model and rendering the uncached calibration images");
        try (ScheduleEvaluator evaluator = new ScheduleEvaluator(settings)) {
            read.validateFor(evaluator.steps(), evaluator.blocks());
            String name = read.name().isBlank() ? stripJson(file.getFileName().toString()) : read.name();
            progress.update(-1, "evaluating " + name + " on " + settings.images() + " images");
            return evaluator.evaluate(name, read.schedule().named(name), IMPORTED);
        }
    }

    private static String stripJson(String n) {
        return n.toLowerCase(Locale.ROOT).endsWith(".json") ? n.substring(0, n.length() - 5) : n;
    }
}
