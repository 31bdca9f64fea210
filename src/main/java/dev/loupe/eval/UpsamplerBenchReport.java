package dev.loupe.eval;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes {@link UpsamplerBench} results: the Markdown table (one per backbone: method, parameters, quality, ms and MB
 * at each size), growth exponents and the cross-attention / UPLiFT time ratios, the PNG plots and the raw JSON.
 */
public final class UpsamplerBenchReport {
    /** The rows the ratio compares. */
    public static final String NUMERATOR = "xattn";
    public static final String DENOMINATOR = "uplift";

    private UpsamplerBenchReport() {}

    /** The main table of one backbone, in Markdown. */
    public static String table(UpsamplerBench.Report r) {
        int[] sizes = r.settings().sizes();
        StringBuilder sb = new StringBuilder("| method | params | mIoU | boundary F | rec. MSE 2x | rec. MSE 4x |");
        StringBuilder rule = new StringBuilder("|---|---:|---:|---:|---:|---:|");
        for (int s : sizes) {
            sb.append(" ms ").append(s).append(" |");
            rule.append("---:|");
        }
        for (int s : sizes) {
            sb.append(" MB ").append(s).append(" |");
            rule.append("---:|");
        }
        sb.append('\n').append(rule).append('\n');
        for (UpsamplerBench.Row row : r.rows()) {
            sb.append("| ").append(row.method().name()).append(" | ").append(String.format(Locale.ROOT, "%,d", row.parameters())).append(" |")
                    .append(qualityCells(row.quality()));
            for (int s : sizes) sb.append(' ').append(cell(row.at(s), false)).append(" |");
            for (int s : sizes) sb.append(' ').append(cell(row.at(s), true)).append(" |");
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * The backbone's own features of enlarged images, scored as the upsamplers are: what the reconstruction objective
     * asks them to imitate. Empty when none were scored.
     */
    public static String referenceTable(UpsamplerBench.Report r) {
        if (r.references().isEmpty()) return "";
        StringBuilder sb = new StringBuilder("| reference | mIoU | boundary F | rec. MSE 2x | rec. MSE 4x |\n|---|---:|---:|---:|---:|\n");
        for (UpsamplerBench.Reference ref : r.references()) sb.append("| ").append(ref.name()).append(" |").append(qualityCells(ref.quality())).append('\n');
        return sb.toString();
    }

    /** The main table's quality cells (mIoU, boundary F, reconstruction at 2x and 4x), dashes when not measured. */
    private static String qualityCells(UpsamplerEvaluation.Scores q) {
        if (q == null) return " – | – | – | – |";
        return " " + fixed(q.denseProbeMiou(), 3) + " | " + fixed(q.boundaryF(), 3) + " | " + fixed(q.mse2x(), 4) + " | " + fixed(q.mse4x(), 4) + " |";
    }

    private static String cell(UpsamplerBench.Cell c, boolean memory) {
        if (c == null) return "stopped";
        if (!c.ok()) return c.error().toLowerCase(Locale.ROOT).contains("memory") ? "OOM" : "failed";
        double v = memory ? c.peakMb() : c.medianMs();
        if (Double.isNaN(v)) return "n/a";
        return v < 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%,.0f", v);
    }

    /** Growth exponents, time ratios and failures, one line each. */
    public static List<String> summary(UpsamplerBench.Report r) {
        List<String> lines = new ArrayList<>();
        if (r.settings().sizes().length < 2) {
            lines.add("Time growth exponent in pixels: needs at least two sizes.");
        } else {
            StringBuilder exp = new StringBuilder("Time growth exponent in pixels (least squares on log-log, wall / CPU):");
            for (UpsamplerBench.Row row : r.rows()) {
                exp.append(' ').append(row.method().name()).append(' ').append(fixed(row.timeExponent(false), 2)).append(" / ")
                        .append(fixed(row.timeExponent(true), 2)).append(';');
            }
            lines.add(exp.substring(0, exp.length() - 1) + ".");
        }
        UpsamplerBench.Row num = r.row(NUMERATOR);
        UpsamplerBench.Row den = r.row(DENOMINATOR);
        if (num != null && den != null) {
            StringBuilder ratio = new StringBuilder("Time ratio " + NUMERATOR + " / " + DENOMINATOR + " (wall / CPU):");
            for (int s : r.settings().sizes()) {
                double[] w = ratio(num.at(s), den.at(s));
                ratio.append(' ').append(s).append(" px ").append(fixed(w[0], 2)).append(" / ").append(fixed(w[1], 2)).append(';');
            }
            lines.add(ratio.substring(0, ratio.length() - 1) + ".");
        }
        for (UpsamplerBench.Row row : r.rows()) {
            for (UpsamplerBench.Cell c : row.cells()) {
                if (!c.ok()) lines.add(row.method().name() + " stops at " + c.size() + " px: " + c.error());
            }
        }
        return lines;
    }

    /** {wall ratio, CPU ratio} of two cells (NaN when either did not run). */
    public static double[] ratio(UpsamplerBench.Cell a, UpsamplerBench.Cell b) {
        if (a == null || b == null || !a.ok() || !b.ok()) return new double[] {Double.NaN, Double.NaN};
        return new double[] {a.medianMs() / b.medianMs(), a.medianCpuMs() / b.medianCpuMs()};
    }

    /** A file-name-safe form of a backbone name. */
    public static String slug(String backbone) {
        String s = backbone.replaceAll("[^A-Za-z0-9.-]+", "-").replaceAll("^-+|-+$", "");
        return s.isEmpty() ? "backbone" : s;
    }

    /** Writes {@code time-SLUG.png} (log-log) and {@code memory-SLUG.png}; returns their names. */
    public static List<String> plots(UpsamplerBench.Report r, Path dir) throws IOException {
        String slug = slug(r.backbone());
        Plots time = Plots.xy("Upsampling time per image, " + r.backbone() + " (pixel-dense output, batch 1)", "input pixels", "median ms")
                .logLog(true);
        Plots memory = Plots.xy("Peak memory per image above the loaded model, " + r.backbone(), "input pixels", "MB");
        for (UpsamplerBench.Row row : r.rows()) {
            double[] px = row.cells().stream().mapToDouble(UpsamplerBench.Cell::pixels).toArray();
            time.series(row.method().name(), px, row.cells().stream().mapToDouble(c -> c.ok() ? c.medianMs() : Double.NaN).toArray());
            memory.series(row.method().name(), px, row.cells().stream().mapToDouble(c -> c.ok() ? c.peakMb() : Double.NaN).toArray());
        }
        String t = "time-" + slug + ".png";
        String m = "memory-" + slug + ".png";
        time.save(dir.resolve(t), 900, 560);
        memory.save(dir.resolve(m), 900, 560);
        return List.of(t, m);
    }

    /** The whole Markdown file. */
    public static String markdown(List<UpsamplerBench.Report> reports, List<List<String>> plotFiles, String command) {
        StringBuilder sb = new StringBuilder("# Upsamplers: quality, time and memory\n\n");
        sb.append("Measured by `").append(command).append("`");
        if (!reports.isEmpty()) {
            JsonObject m = reports.get(0).machine();
            sb.append(String.format(Locale.ROOT, " on %s, %d cores (shared), %s torch threads, Java %s, %s.",
                    m.get("os").getAsString(), m.get("cores").getAsInt(), m.get("torch_threads").getAsString(), m.get("java").getAsString(),
                    m.get("date").getAsString()));
            if (m.has("huge_page_tensors")) {
                sb.append(m.get("huge_page_tensors").getAsBoolean()
                        ? " Tensors of 2 MB and more on transparent huge pages (" + UpsamplerBench.HUGE_PAGE_SWITCH + ")."
                        : " Tensors on ordinary pages (" + UpsamplerBench.HUGE_PAGE_SWITCH + " off).");
            }
        }
        sb.append("\n\n");
        for (int i = 0; i < reports.size(); i++) {
            UpsamplerBench.Report r = reports.get(i);
            sb.append("## ").append(r.backbone()).append(String.format(Locale.ROOT, " (%d channels, patch %d)%n%n", r.channels(), r.patch()));
            sb.append(table(r)).append('\n');
            for (String line : summary(r)) sb.append(line).append("\n\n");
            if (!r.references().isEmpty()) {
                sb.append("The backbone's own features of the image enlarged (bilinear) and run through it again, resized to pixels "
                        + "and read by a dense probe of their own like the upsamplers: the features the reconstruction objective asks "
                        + "an upsampler to produce.\n\n").append(referenceTable(r)).append('\n');
            }
            sb.append(details(r)).append('\n');
            for (String png : plotFiles.get(i)) sb.append("![").append(png).append("](").append(png).append(")\n");
            sb.append('\n');
        }
        sb.append(notes(reports.isEmpty() ? null : reports.get(0)));
        return sb.toString();
    }

    private static String details(UpsamplerBench.Report r) {
        int[] sizes = r.settings().sizes();
        StringBuilder sb = new StringBuilder("<details><summary>CPU time, runs, and more quality figures</summary>\n\n");
        sb.append("| method | low-res probe mIoU | pixel acc. | cos 2x | cos 4x |");
        StringBuilder rule = new StringBuilder("|---|---:|---:|---:|---:|");
        for (int s : sizes) {
            sb.append(" CPU ms ").append(s).append(" | runs ").append(s).append(" |");
            rule.append("---:|---:|");
        }
        sb.append('\n').append(rule).append('\n');
        for (UpsamplerBench.Row row : r.rows()) {
            UpsamplerEvaluation.Scores q = row.quality();
            sb.append("| ").append(row.method().name()).append(" | ")
                    .append(q == null ? "–" : fixed(q.probeMiou(), 3)).append(" | ")
                    .append(q == null ? "–" : fixed(q.denseProbePixelAccuracy(), 3)).append(" | ")
                    .append(q == null ? "–" : fixed(q.cosine2x(), 3)).append(" | ")
                    .append(q == null ? "–" : fixed(q.cosine4x(), 3)).append(" |");
            for (int s : sizes) {
                UpsamplerBench.Cell c = row.at(s);
                sb.append(c == null || !c.ok() ? " – | – |" : String.format(Locale.ROOT, " %,.0f | %d |", c.medianCpuMs(), c.runsMs().length));
            }
            sb.append('\n');
        }
        sb.append('\n').append(whereProbesErr(r)).append("\n</details>\n");
        return sb.toString();
    }

    /** The dense probes' IoU per class, and their error rate by distance from the nearest true class boundary. */
    static String whereProbesErr(UpsamplerBench.Report r) {
        List<UpsamplerBench.Row> scored = r.rows().stream().filter(row -> row.quality() != null).toList();
        if (scored.isEmpty()) return "";
        return "Dense probe IoU per class:\n\n"
                + methodTable(scored, dev.loupe.world.ShapeKind.classNames(), q -> q.classIou(), v -> fixed(v, 3))
                + "\nDense probe errors (share of pixels given the wrong class) by distance from the nearest true class boundary:\n\n"
                + methodTable(scored, ErrorsByBoundaryDistance.bandNames(), q -> q.errorByBoundaryDistance(), UpsamplerBenchReport::percent)
                + "\nDense probe mIoU by the held-out scenes' background (" + backgroundCounts(r.settings().qualityScenes())
                + "; a striped background is two shades of one colour, a gradient a ramp between them):\n\n"
                + methodTable(scored, UpsamplerEvaluation.backgroundNames(), q -> q.miouByBackground(), v -> fixed(v, 3));
    }

    /** "35 plain, 31 gradient and 34 striped scenes" (the first 100 held-out scenes). */
    private static String backgroundCounts(int heldOut) {
        int[] counts = UpsamplerEvaluation.scenesByBackground(heldOut);
        List<String> names = UpsamplerEvaluation.backgroundNames();
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < counts.length; i++) parts.add(counts[i] + " " + names.get(i));
        return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1) + " scenes";
    }

    /** A Markdown table with a row per method and a column per name, each cell one of the method's quality values. */
    private static String methodTable(List<UpsamplerBench.Row> rows, List<String> columns,
            java.util.function.Function<UpsamplerEvaluation.Scores, List<Double>> values, java.util.function.DoubleFunction<String> format) {
        StringBuilder sb = new StringBuilder("| method |");
        StringBuilder rule = new StringBuilder("|---|");
        for (String c : columns) {
            sb.append(' ').append(c).append(" |");
            rule.append("---:|");
        }
        sb.append('\n').append(rule).append('\n');
        for (UpsamplerBench.Row row : rows) {
            sb.append("| ").append(row.method().name()).append(" |");
            for (double v : values.apply(row.quality())) sb.append(' ').append(format.apply(v)).append(" |");
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String percent(double share) {
        return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    private static String notes(UpsamplerBench.Report r) {
        StringBuilder sb = new StringBuilder("## How these were measured\n\n");
        if (r != null && r.qualitySize() > 0) {
            sb.append(String.format(Locale.ROOT, "- Quality: %d held-out ShapesWorld scenes (seeds 0..%d) at %d px. mIoU and boundary F "
                    + "(Csurka's, tolerance 0.75%% of the diagonal) come from a linear probe fitted, for each upsampler, on its own "
                    + "pixel-dense features of %d other scenes (seeds from %d), against the class mask. Reconstruction: the features "
                    + "of the image at 1/2 (1/4) of the size upsampled 2x (4x), against the backbone's features of the full-size "
                    + "image (mean squared error per channel).%n", r.settings().qualityScenes(), r.settings().qualityScenes() - 1, r.qualitySize(),
                    r.settings().probeScenes(), UpsamplerEvaluation.PROBE_SEED));
        }
        sb.append("- Time: median per image (batch 1) from pixel-dense output of a ShapesWorld scene at each input size; "
                + "methods interleaved round by round so that load from other work falls on all of them alike; the backbone's "
                + "time is not included. Wall-clock in the table, process CPU time in the details.\n");
        if (r != null) {
            sb.append(r.settings().memory() == UpsamplerBench.MemoryIsolation.CHILD
                    ? String.format(Locale.ROOT, "- Memory: peak resident memory of one call above the process's resident memory just before it "
                            + "(weights, inputs and engine loaded; output included), each method and size in a fresh JVM capped at %.0f GB "
                            + "of address space.%n", r.settings().childAddressSpaceBytes() / 1e9)
                    : "- Memory: peak resident memory of one call above the process's resident memory just before it, in the bench's own "
                            + "process (freed memory kept by the allocator can hide in later figures).\n");
            sb.append(String.format(Locale.ROOT, "- Cross-attention runs its queries in chunks of output rows whose attention matrix fits "
                    + "%.0f MB; without chunks it would hold heads x pixels x tokens floats (more than 24 GB at 672 px on a patch-14 "
                    + "backbone).%n", r.settings().chunkBytes() / (1024.0 * 1024.0)));
        }
        sb.append("- Growth exponent: slope of least squares on log(time) against log(pixels) over the sizes measured; 1 is linear "
                + "in pixels, 2 quadratic.\n");
        return sb.toString();
    }

    public static JsonObject json(List<UpsamplerBench.Report> reports) {
        JsonObject root = new JsonObject();
        JsonArray all = new JsonArray();
        for (UpsamplerBench.Report r : reports) {
            JsonObject o = new JsonObject();
            o.addProperty("backbone", r.backbone());
            o.addProperty("channels", r.channels());
            o.addProperty("patch", r.patch());
            o.add("machine", r.machine());
            o.addProperty("quality_size", r.qualitySize());
            JsonArray rows = new JsonArray();
            for (UpsamplerBench.Row row : r.rows()) {
                JsonObject ro = new JsonObject();
                ro.addProperty("method", row.method().name());
                ro.addProperty("source", row.method().source());
                ro.addProperty("parameters", row.parameters());
                if (row.quality() != null) ro.add("quality", row.quality().toJson());
                ro.addProperty("time_exponent", round(row.timeExponent(false)));
                ro.addProperty("cpu_time_exponent", round(row.timeExponent(true)));
                JsonArray cells = new JsonArray();
                for (UpsamplerBench.Cell c : row.cells()) {
                    JsonObject co = new JsonObject();
                    co.addProperty("size", c.size());
                    co.addProperty("pixels", c.pixels());
                    co.addProperty("median_ms", round(c.medianMs()));
                    co.addProperty("median_cpu_ms", round(c.medianCpuMs()));
                    JsonArray runs = new JsonArray();
                    for (double v : c.runsMs()) runs.add(round(v));
                    co.add("runs_ms", runs);
                    co.addProperty("peak_mb", round(c.peakMb()));
                    co.addProperty("baseline_mb", round(c.baselineMb()));
                    if (c.error() != null) co.addProperty("error", c.error());
                    cells.add(co);
                }
                ro.add("cells", cells);
                rows.add(ro);
            }
            o.add("rows", rows);
            JsonArray references = new JsonArray();
            for (UpsamplerBench.Reference ref : r.references()) {
                JsonObject ro = new JsonObject();
                ro.addProperty("reference", ref.name());
                ro.addProperty("zoom", ref.zoom());
                ro.add("quality", ref.quality().toJson());
                references.add(ro);
            }
            if (!references.isEmpty()) o.add("backbone_references", references);
            all.add(o);
        }
        root.add("backbones", all);
        return root;
    }

    public static String jsonText(List<UpsamplerBench.Report> reports) {
        return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(json(reports)) + "\n";
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : v;
    }

    /** {@code v} with {@code decimals} decimals, or "n/a" where it could not be computed (a method that stopped early). */
    private static String fixed(double v, int decimals) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
