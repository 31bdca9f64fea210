package dev.loupe.search;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.ecad.ScheduleFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files of a search run folder, each written atomically (a temporary file moved into place):
 * <pre>
 * settings.json             the {@link SearchSettings}
 * evaluations.json          every evaluated genome with its figures, rewritten as each evaluation finishes
 * generations/gen_NNN.json  each finished generation: population, frontier (indices), hypervolume, time
 * schedules/NAME.json       each evaluated schedule as an ECAD schedule file (config and metrics)
 * frontier.json             the final frontier with measured speedups (written when the run completes)
 * report.md                 the ECAD-style table (written when the run completes)
 * </pre>
 */
final class RunFolder {
    static final String SETTINGS = "settings.json", EVALUATIONS = "evaluations.json", GENERATIONS = "generations",
            SCHEDULES = "schedules", FRONTIER = "frontier.json", REPORT = "report.md";
    private static final Pattern GENERATION_FILE = Pattern.compile("gen_(\\d{3,})\\.json");

    private final Path dir;

    RunFolder(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    Path settingsFile() {
        return dir.resolve(SETTINGS);
    }

    Path evaluationsFile() {
        return dir.resolve(EVALUATIONS);
    }

    Path generationFile(int index) {
        return dir.resolve(GENERATIONS).resolve(String.format(Locale.ROOT, "gen_%03d.json", index));
    }

    Path scheduleFile(String name) {
        return dir.resolve(SCHEDULES).resolve(fileName(name) + ".json");
    }

    /** A file name for a schedule name: letters, digits, '-', '_' and '.' kept, anything else '_'. */
    static String fileName(String name) {
        String clean = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return clean.isEmpty() || clean.startsWith(".") ? "_" + clean : clean;
    }

    static boolean isRun(Path dir) {
        return Files.isRegularFile(dir.resolve(SETTINGS));
    }

    void create(SearchSettings settings) {
        try {
            Files.createDirectories(dir.resolve(GENERATIONS));
            Files.createDirectories(dir.resolve(SCHEDULES));
        } catch (IOException e) {
            throw new LoupeException(dir + ": cannot create the run folder: " + e.getMessage(), e);
        }
        settings.write(settingsFile());
    }

    SearchSettings readSettings() {
        if (!Files.isDirectory(dir)) throw new LoupeException(dir + ": no such run folder");
        if (!isRun(dir)) throw new LoupeException(dir + " is not a search run folder: it has no " + SETTINGS);
        return SearchSettings.read(settingsFile());
    }

    void writeEvaluations(Collection<Evaluation> evaluations) {
        JsonArray list = new JsonArray();
        for (Evaluation e : evaluations) list.add(e.toJson());
        JsonObject o = new JsonObject();
        o.add("evaluations", list);
        RunJson.write(evaluationsFile(), o);
    }

    /** Every evaluation on disk (none before the first finishes). */
    List<Evaluation> readEvaluations(SearchSettings settings) {
        Path file = evaluationsFile();
        if (!Files.exists(file)) return List.of();
        String source = file.toString();
        JsonObject o = RunJson.object(RunJson.read(file), "the file", source);
        List<Evaluation> out = new ArrayList<>();
        for (JsonElement e : RunJson.array(o, "evaluations", source)) {
            Evaluation ev = Evaluation.fromJson(e, source);
            Evaluation.requireSameShape(ev, settings.steps(), out.isEmpty() ? ev.schedule().blocks() : out.get(0).schedule().blocks(), source);
            out.add(ev);
        }
        return out;
    }

    void writeGeneration(Generation g) {
        JsonObject o = new JsonObject();
        o.addProperty("index", g.index());
        o.addProperty("elapsed_millis", g.elapsedMillis());
        o.add("hypervolume", RunJson.numberOrNull(g.hypervolume()));
        JsonArray population = new JsonArray();
        for (Evaluation e : g.population()) population.add(e.toJson());
        o.add("population", population);
        JsonArray frontier = new JsonArray();
        for (Evaluation f : g.frontier()) {
            int i = indexOf(g.population(), f);
            if (i < 0) throw new IllegalArgumentException("frontier point " + f.name() + " is not in the population");
            frontier.add(i);
        }
        o.add("frontier", frontier);
        RunJson.write(generationFile(g.index()), o);
    }

    private static int indexOf(List<Evaluation> population, Evaluation e) {
        for (int i = 0; i < population.size(); i++) if (population.get(i).key().equals(e.key())) return i;
        return -1;
    }

    /** The finished generations, which must be numbered 0, 1, 2, ... without a gap. */
    List<Generation> readGenerations() {
        Path folder = dir.resolve(GENERATIONS);
        if (!Files.isDirectory(folder)) return List.of();
        List<Integer> indices = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Matcher m = GENERATION_FILE.matcher(p.getFileName().toString());
                if (m.matches()) indices.add(Integer.parseInt(m.group(1)));
            }
        } catch (IOException e) {
            throw new LoupeException(folder + ": cannot list the generations: " + e.getMessage(), e);
        }
        indices.sort(null);
        List<Generation> out = new ArrayList<>();
        for (int k = 0; k < indices.size(); k++) {
            if (indices.get(k) != k) throw new LoupeException(generationFile(k) + " is missing (later generations exist)");
            out.add(readGeneration(k));
        }
        return out;
    }

    Generation readGeneration(int index) {
        Path file = generationFile(index);
        String source = file.toString();
        JsonObject o = RunJson.object(RunJson.read(file), "the file", source);
        if (RunJson.integer(o, "index", source) != index) throw new LoupeException(source + ": \"index\" is not " + index);
        List<Evaluation> population = new ArrayList<>();
        for (JsonElement e : RunJson.array(o, "population", source)) population.add(Evaluation.fromJson(e, source));
        List<Evaluation> frontier = new ArrayList<>();
        for (JsonElement e : RunJson.array(o, "frontier", source)) {
            int i;
            try {
                i = e.getAsInt();
            } catch (RuntimeException ex) {
                throw new LoupeException(source + ": a frontier entry is not a population index: " + e);
            }
            if (i < 0 || i >= population.size()) throw new LoupeException(source + ": frontier index " + i + " is out of range");
            frontier.add(population.get(i));
        }
        return new Generation(index, population, frontier, RunJson.optionalNumber(o, "hypervolume", source),
                RunJson.wholeNumber(o, "elapsed_millis", source));
    }

    void writeSchedule(String name, ScheduleFile file) {
        file.write(scheduleFile(name));
    }

    void writeText(String name, String text) {
        try {
            dev.loupe.tensor.AtomicFiles.writeString(dir.resolve(name), text);
        } catch (IOException e) {
            throw new LoupeException(dir.resolve(name) + ": cannot write: " + e.getMessage(), e);
        }
    }

    void writeJson(String name, JsonElement json) {
        RunJson.write(dir.resolve(name), json);
    }
}
