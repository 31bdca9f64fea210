package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loupe.diffusion.PixArtConfig;
import dev.loupe.diffusion.PromptEncoderConfig;
import dev.loupe.diffusion.TextToImageConfig;
import dev.loupe.diffusion.TextToImageModel;
import dev.loupe.search.Evaluation;
import dev.loupe.search.SearchRun;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The search verb on a tiny random model: a whole run, bad input, and kill -9 then --resume in a child JVM. */
class SearchCommandTest {
    @TempDir
    static Path shared;
    static Path model;

    @BeforeAll
    static void tinyModel() throws Exception {
        model = shared.resolve("tiny-dit");
        try (NDManager nd = NDManager.newBaseManager()) {
            TextToImageConfig config = new TextToImageConfig(PixArtConfig.of(2, 8, 2, 3, 3, 32, 8, 16),
                    PromptEncoderConfig.of(16, 1, 2, 24), new TextToImageConfig.SamplerSettings(6, 3.0, 1.0));
            JsonObject card = new JsonObject();
            card.addProperty("name", "tiny-dit");
            new TextToImageModel(nd, config).save(model, card);
        }
    }

    @Test
    void searchesPrintsALinePerGenerationAndWritesTheRun(@TempDir Path dir) {
        Path run = dir.resolve("run");
        Cli.Result r = Cli.run("search", "--model", model.toString(), "--pop", "4", "--generations", "2", "--prompts", "2",
                "--seeds", "1", "--workers", "2", "--out", run.toString());
        assertEquals(0, r.exitCode(), r.out() + r.err());
        assertTrue(r.out().contains("generation 0/1: "), r.out());
        assertTrue(r.out().contains("generation 1/1: "), r.out());
        assertTrue(r.out().matches("(?s).*hypervolume \\d\\.\\d{4}.*ETA.*"), r.out());
        for (String f : List.of("settings.json", "evaluations.json", "generations/gen_000.json", "generations/gen_001.json",
                "frontier.json", "report.md")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        SearchRun read = SearchRun.open(run);
        assertEquals(2, read.settings().prompts().size());
        assertEquals(List.of(0L), read.settings().seeds());
        JsonObject frontier = JsonParser.parseString(readString(run.resolve("frontier.json"))).getAsJsonObject();
        assertEquals(read.frontier().size(), frontier.getAsJsonArray("points").size());
        for (var p : frontier.getAsJsonArray("points")) {
            JsonObject point = p.getAsJsonObject();
            assertTrue(Files.isRegularFile(run.resolve(point.get("schedule").getAsString())), point.toString());
            assertTrue(point.get("measured_speedup").getAsDouble() > 0);
            assertTrue(point.getAsJsonObject("fidelity").has("psnr_db"));
        }

        Cli.Result fewer = Cli.run("search", "--resume", "--generations", "1", "--out", run.toString());
        assertEquals(1, fewer.exitCode(), fewer.out() + fewer.err());
        assertTrue(fewer.userErr().contains("already has 2 finished generations"), fewer.err());
        assertEquals(2, SearchRun.open(run).settings().generations());
    }

    @Test
    void badInputGetsAClearMessage(@TempDir Path dir) throws Exception {
        Path other = Files.createDirectories(dir.resolve("photos"));
        Files.writeString(other.resolve("keep.txt"), "mine");
        Cli.Result notRun = Cli.run("search", "--model", model.toString(), "--out", other.toString());
        assertEquals(1, notRun.exitCode());
        assertTrue(notRun.userErr().startsWith("loupe: ") && notRun.userErr().contains("is not a search run"), notRun.err());
        assertEquals("mine", readString(other.resolve("keep.txt")));

        Cli.Result nothing = Cli.run("search", "--resume", "--out", dir.resolve("none").toString());
        assertEquals(1, nothing.exitCode());
        assertTrue(nothing.userErr().contains("no search run to resume"), nothing.err());

        Cli.Result noModel = Cli.run("search", "--model", dir.resolve("no-model").toString(), "--out", dir.resolve("r").toString());
        assertEquals(1, noModel.exitCode());
        assertTrue(noModel.userErr().contains("no-model"), noModel.err());

        Path corrupt = Files.createDirectories(dir.resolve("corrupt"));
        Files.writeString(corrupt.resolve("settings.json"), "{\"model\": ");
        Cli.Result bad = Cli.run("search", "--resume", "--out", corrupt.toString());
        assertEquals(1, bad.exitCode());
        assertTrue(bad.userErr().contains("settings.json") && bad.userErr().contains("not valid JSON"), bad.err());

        Cli.Result prompts = Cli.run("search", "--model", model.toString(), "--prompts", "99", "--out", dir.resolve("p").toString());
        assertEquals(1, prompts.exitCode());
        assertTrue(prompts.userErr().contains("--prompts must be 1 to 8"), prompts.err());
    }

    @Test
    void aSearchKilledWithSigkillResumesWithoutLosingAFinishedEvaluation(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", childClasspath(), "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dloupe.home=" + Path.of("").toAbsolutePath(), "dev.loupe.Launcher",
                "search", "--model", model.toString(), "--pop", "6", "--generations", "40", "--workers", "1",
                "--out", run.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile());
        pb.environment().put("OPT_OUT_TRACKING", "true");
        Process child = pb.start();
        Path evaluations = run.resolve("evaluations.json");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (count(evaluations) < 14) {
            assertTrue(child.isAlive(), "the child stopped early:\n" + readString(dir.resolve("child.log")));
            assertTrue(System.nanoTime() < deadline, "no progress in 60 s:\n" + readString(dir.resolve("child.log")));
            Thread.sleep(20);
        }
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertFalse(Files.exists(run.resolve("report.md")), "killed before the end");
        Map<String, Evaluation> finished = SearchRun.open(run).evaluations().stream()
                .collect(Collectors.toMap(Evaluation::key, e -> e));
        assertTrue(finished.size() >= 14);

        Cli.Result resumed = Cli.run("search", "--resume", "--generations", "3", "--workers", "2", "--out", run.toString());
        assertEquals(0, resumed.exitCode(), resumed.out() + resumed.err());
        SearchRun done = SearchRun.open(run);
        assertTrue(done.complete());
        assertEquals(3, done.generations().size());
        Map<String, Evaluation> after = done.evaluations().stream().collect(Collectors.toMap(Evaluation::key, e -> e));
        for (Evaluation e : finished.values()) {
            Evaluation kept = after.get(e.key());
            assertTrue(kept != null, "lost " + e.name());
            assertEquals(e.name(), kept.name());
            assertEquals(e.reward(), kept.reward());
            assertEquals(e.psnr(), kept.psnr());
        }
        assertTrue(Files.isRegularFile(run.resolve("report.md")));
    }

    private static int count(Path evaluations) {
        if (!Files.exists(evaluations)) return 0;
        return JsonParser.parseString(readString(evaluations)).getAsJsonObject().getAsJsonArray("evaluations").size();
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            throw new AssertionError(p.toString(), e);
        }
    }

    /** This JVM's class path, unpacked from Surefire's manifest-only booter jar when it uses one. */
    private static String childClasspath() throws Exception {
        String cp = System.getProperty("java.class.path");
        List<String> out = new ArrayList<>();
        for (String entry : cp.split(File.pathSeparator)) {
            if (entry.contains("surefirebooter") && entry.endsWith(".jar")) {
                try (JarFile jar = new JarFile(entry)) {
                    String classPath = jar.getManifest().getMainAttributes().getValue("Class-Path");
                    for (String url : classPath.trim().split("\\s+")) out.add(Path.of(URI.create(url)).toString());
                }
            } else {
                out.add(entry);
            }
        }
        return String.join(File.pathSeparator, out);
    }
}
