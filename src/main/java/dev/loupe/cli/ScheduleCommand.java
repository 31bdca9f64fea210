package dev.loupe.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.loupe.ecad.FluxScheduleException;
import dev.loupe.ecad.ScheduleFile;
import dev.loupe.ecad.ScheduleStats;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code loupe schedule ...}: ECAD caching schedules. */
@Command(name = "schedule", mixinStandardHelpOptions = true,
        description = "Inspect ECAD caching schedule files (JSON; true = recompute).",
        subcommands = {
            ScheduleCommand.Show.class,
        })
public final class ScheduleCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print a schedule's name, dimensions, how many bits of each component recompute, the "
                    + "recomputed bits per step and, if the file has them, its measured MACs and latency.")
    static final class Show implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "An ECAD schedule file (.json).")
        Path file;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                ScheduleFile schedule = ScheduleFile.read(file);
                print(out, schedule.stats());
                config(out, schedule.config());
                OptionalDouble macs = schedule.totalMacsT();
                row(out, "total MACs", macs.isPresent()
                        ? String.format(Locale.ROOT, "%.4f T", macs.getAsDouble()) : "(not in the file)");
                schedule.latency().ifPresent(l -> row(out, "latency", String.format(Locale.ROOT,
                        "%.2f ms (batch %d, %d samples, %s)", l.avg(), l.batchSize(), l.numSamples(),
                        l.gpu().isEmpty() ? "device not given" : l.gpu())));
            } catch (FluxScheduleException e) {
                // a FLUX file is a valid ECAD schedule: show what it holds, then say why Loupe cannot use it
                if (e.stats().isEmpty()) throw e;
                print(out, e.stats().get());
                row(out, "note", e.problem());
            }
            out.flush();
            return 0;
        }

        private void print(PrintWriter out, ScheduleStats stats) {
            row(out, "file", file.toString());
            row(out, "name", stats.name().isEmpty() ? "(none)" : stats.name());
            row(out, "dimensions", stats.dimensions() + " = " + stats.total() + " bits");
            int width = stats.components().stream().mapToInt(c -> c.component().length()).max().orElse(3);
            List<String> lines = new ArrayList<>();
            for (ScheduleStats.Count c : stats.components()) lines.add(count(c.component(), width, c));
            lines.add(count("all", width, new ScheduleStats.Count("all", stats.recompute(), stats.total())));
            for (int i = 0; i < lines.size(); i++) row(out, i == 0 ? "recompute" : "", lines.get(i));
            StringBuilder perStep = new StringBuilder();
            for (int n : stats.recomputePerStep()) perStep.append(perStep.length() == 0 ? "" : " ").append(n);
            row(out, "per step", perStep + "  (of " + stats.bitsPerStep() + " each, steps 0.." + (stats.steps() - 1)
                    + ")");
        }

        private static String count(String label, int width, ScheduleStats.Count c) {
            return String.format(Locale.ROOT, "%-" + width + "s %6d of %d (%.1f%%)", label, c.recompute(), c.total(),
                    c.percent());
        }

        private static void config(PrintWriter out, JsonObject config) {
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, JsonElement> e : config.entrySet()) {
                if (e.getValue().isJsonPrimitive()) parts.add(e.getKey() + "=" + e.getValue().getAsString());
            }
            if (!parts.isEmpty()) row(out, "config", String.join(", ", parts));
        }

        private static void row(PrintWriter out, String label, String value) {
            out.printf(Locale.ROOT, "%-11s %s%n", label, value);
        }
    }
}
