package dev.loupe.search;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import dev.loupe.diffusion.TextToImageConfig;
import dev.loupe.diffusion.TextToImageModel;
import dev.loupe.models.ModelCard;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a caching-schedule search runs: the text-to-image model, the calibration set (every prompt with every
 * seed, fixed for the run), NSGA-II's population, generations and variation rates, and the sampler settings.
 *
 * @param model          the text-to-image model folder
 * @param prompts        calibration prompts (ShapesWorld captions)
 * @param seeds          noise seeds; each prompt is rendered once per seed
 * @param population     NSGA-II population size
 * @param generations    generations in all, the seeded initial population (generation 0) included
 * @param crossoverRate  probability that two parents are crossed (HUX) rather than copied
 * @param mutationRate   probability that each bit of an offspring flips (bit-flip mutation)
 * @param fidelityWeight w in the quality objective {@code (1 - w) (1 - mean reward) + w (1 - min(PSNR, 40) / 40)};
 *                       0 makes it ECAD's {@code 1 - mean reward}
 * @param steps          denoising steps (the schedule's first dimension)
 * @param guidance       classifier-free guidance scale
 * @param guidanceStop   steps that start below this time go unguided (the model card's, recorded so that a resumed
 *                       run renders as it began even if the card changes)
 */
public record SearchSettings(Path model, List<String> prompts, List<Long> seeds, int population, int generations,
        double crossoverRate, double mutationRate, double fidelityWeight, int steps, double guidance, double guidanceStop) {

    /** The shipped calibration prompts (a resource, one caption per line). */
    public static final String CALIBRATION_PROMPTS = "/search/calibration-prompts.txt";
    public static final int DEFAULT_POPULATION = 24, DEFAULT_GENERATIONS = 30;
    public static final double DEFAULT_CROSSOVER = 0.9;
    /**
     * One seed per prompt: 8 images per schedule keeps a default search of the sample model within about half an hour
     * on 2 cores (ECAD's ablation found fewer images per prompt changes little; more prompts matter more).
     */
    public static final List<Long> DEFAULT_SEEDS = List.of(0L);
    /** About one flipped bit per offspring for the sample model's 20 x 8 x 3 = 480 bits, as ECAD's 1/n per bit. */
    public static final double DEFAULT_MUTATION = 0.002;
    /** Sampler settings when the model folder has no readable card (the sample model's). */
    static final int FALLBACK_STEPS = 20;
    static final double FALLBACK_GUIDANCE = 3.0;

    public SearchSettings {
        if (model == null) throw new LoupeException("the search needs a model folder");
        if (prompts == null || prompts.isEmpty()) throw new LoupeException("the search needs at least one calibration prompt");
        if (seeds == null || seeds.isEmpty()) throw new LoupeException("the search needs at least one seed");
        prompts = List.copyOf(prompts);
        seeds = List.copyOf(seeds);
        for (String p : prompts) if (p.isBlank()) throw new LoupeException("a calibration prompt is empty");
        if (population < 2) throw new LoupeException("the population must have at least 2 schedules, not " + population);
        if (generations < 1) throw new LoupeException("the search needs at least 1 generation, not " + generations);
        rate(crossoverRate, "crossover rate");
        rate(mutationRate, "mutation rate");
        rate(fidelityWeight, "fidelity weight");
        if (steps < 1) throw new LoupeException("the sampler needs at least 1 step, not " + steps);
        if (!(guidance >= 0) || !Double.isFinite(guidance)) throw new LoupeException("guidance must be a number >= 0, not " + guidance);
        if (!(guidanceStop >= 0 && guidanceStop <= 1)) throw new LoupeException("the guidance stop is a time in [0, 1], not " + guidanceStop);
    }

    /**
     * ECAD-like settings for {@code model}: the shipped calibration prompts with seed 0, population 24, 30
     * generations, crossover 0.9, mutation 0.002 per bit, quality = 1 - mean reward, and the model card's sampler
     * steps, guidance and guidance stop (20, 3 and none when the folder has no card yet).
     */
    public static SearchSettings defaults(Path model) {
        int steps = FALLBACK_STEPS;
        double guidance = FALLBACK_GUIDANCE;
        double guidanceStop = 0;
        if (Files.isRegularFile(model.resolve(TextToImageModel.CARD_FILE))) {
            ModelCard card = ModelCard.read(model);
            TextToImageConfig.SamplerSettings s = TextToImageConfig.fromCard(card.json(),
                    model.resolve(TextToImageModel.CARD_FILE).toString()).sampler();
            steps = s.steps();
            guidance = s.guidance();
            guidanceStop = s.guidanceStop();
        }
        return new SearchSettings(model, calibrationPrompts(), DEFAULT_SEEDS, DEFAULT_POPULATION, DEFAULT_GENERATIONS,
                DEFAULT_CROSSOVER, DEFAULT_MUTATION, 0, steps, guidance, guidanceStop);
    }

    /** The shipped calibration prompts. */
    public static List<String> calibrationPrompts() {
        try (InputStream in = SearchSettings.class.getResourceAsStream(CALIBRATION_PROMPTS)) {
            if (in == null) throw new IllegalStateException("resource " + CALIBRATION_PROMPTS + " is missing");
            List<String> prompts = new ArrayList<>();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null; ) if (!line.isBlank()) prompts.add(line.strip());
            return List.copyOf(prompts);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + CALIBRATION_PROMPTS, e);
        }
    }

    public SearchSettings withModel(Path newModel) {
        return new SearchSettings(newModel, prompts, seeds, population, generations, crossoverRate, mutationRate,
                fidelityWeight, steps, guidance, guidanceStop);
    }

    public SearchSettings withCalibration(List<String> newPrompts, List<Long> newSeeds) {
        return new SearchSettings(model, newPrompts, newSeeds, population, generations, crossoverRate, mutationRate,
                fidelityWeight, steps, guidance, guidanceStop);
    }

    public SearchSettings withPopulation(int newPopulation, int newGenerations) {
        return new SearchSettings(model, prompts, seeds, newPopulation, newGenerations, crossoverRate, mutationRate,
                fidelityWeight, steps, guidance, guidanceStop);
    }

    public SearchSettings withSampler(int newSteps, double newGuidance) {
        return new SearchSettings(model, prompts, seeds, population, generations, crossoverRate, mutationRate,
                fidelityWeight, newSteps, newGuidance, guidanceStop);
    }

    public SearchSettings withFidelityWeight(double weight) {
        return new SearchSettings(model, prompts, seeds, population, generations, crossoverRate, mutationRate, weight,
                steps, guidance, guidanceStop);
    }

    /** Images in the calibration set. */
    public int images() {
        return prompts.size() * seeds.size();
    }

    /** Whether a run made with {@code other} renders and scores exactly as this one (what resuming needs). */
    public boolean sameCalibration(SearchSettings other) {
        return prompts.equals(other.prompts) && seeds.equals(other.seeds) && steps == other.steps
                && guidance == other.guidance && guidanceStop == other.guidanceStop && fidelityWeight == other.fidelityWeight;
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("model", model.toString());
        JsonArray p = new JsonArray();
        prompts.forEach(p::add);
        o.add("prompts", p);
        JsonArray s = new JsonArray();
        seeds.forEach(s::add);
        o.add("seeds", s);
        o.addProperty("population", population);
        o.addProperty("generations", generations);
        o.addProperty("crossover_rate", crossoverRate);
        o.addProperty("mutation_rate", mutationRate);
        o.addProperty("fidelity_weight", fidelityWeight);
        o.addProperty("steps", steps);
        o.addProperty("guidance", guidance);
        o.addProperty("guidance_stop", guidanceStop);
        return o;
    }

    /** Reads {@link #toJson}'s layout; {@code source} (the file) starts every error message. */
    public static SearchSettings fromJson(JsonElement json, String source) {
        if (json == null || !json.isJsonObject()) throw new LoupeException(source + ": the settings are not a JSON object");
        JsonObject o = json.getAsJsonObject();
        try {
            List<String> prompts = new ArrayList<>();
            for (JsonElement e : RunJson.array(o, "prompts", source)) prompts.add(e.getAsString());
            List<Long> seeds = new ArrayList<>();
            for (JsonElement e : RunJson.array(o, "seeds", source)) seeds.add(e.getAsLong());
            return new SearchSettings(Path.of(RunJson.string(o, "model", source)), prompts, seeds,
                    RunJson.integer(o, "population", source), RunJson.integer(o, "generations", source),
                    RunJson.number(o, "crossover_rate", source), RunJson.number(o, "mutation_rate", source),
                    RunJson.number(o, "fidelity_weight", source), RunJson.integer(o, "steps", source),
                    RunJson.number(o, "guidance", source), guidanceStop(o, source));
        } catch (LoupeException e) {
            throw e.getMessage().startsWith(source) ? e : new LoupeException(source + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new LoupeException(source + ": malformed settings: " + e.getMessage());
        }
    }

    /** Runs made before the guidance stop guided every step. */
    private static double guidanceStop(JsonObject o, String source) {
        double stop = RunJson.optionalNumber(o, "guidance_stop", source);
        return Double.isNaN(stop) ? 0 : stop;
    }

    /** The sampler settings of the run: the model's, with the run's steps, guidance and guidance stop. */
    public TextToImageConfig.SamplerSettings sampler(TextToImageConfig.SamplerSettings modelDefaults) {
        return modelDefaults.overriding(steps, guidance, guidanceStop);
    }

    public static SearchSettings read(Path file) {
        return fromJson(RunJson.read(file), file.toString());
    }

    public void write(Path file) {
        RunJson.write(file, toJson());
    }

    private static void rate(double r, String what) {
        if (!(r >= 0 && r <= 1)) throw new LoupeException("the " + what + " must be in [0, 1], not " + r);
    }
}
