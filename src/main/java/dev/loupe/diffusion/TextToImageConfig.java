package dev.loupe.diffusion;

import com.google.gson.JsonObject;
import dev.loupe.LoupeException;

/**
 * A pixel-space text-to-image model: the transformer (PixArt architecture, RGB in; out the velocity or the clean
 * image, as {@code prediction} says), its prompt encoder (whose width is the transformer's {@code caption_channels})
 * and the sampler settings it was tuned for.
 */
public record TextToImageConfig(PixArtConfig transformer, PromptEncoderConfig promptEncoder, SamplerSettings sampler,
        Prediction prediction) {

    /**
     * Default sampler settings: steps, guidance scale, time shift ({@link RectifiedFlow#times}) and the time below
     * which guidance stops. Guidance sets where objects stand and what they are while noise still hides them; in the
     * last steps it only sharpens what is there and overshoots pixel colours, so below {@code guidanceStop} the
     * prompted velocity is used alone (a guidance interval, Kynkäänniemi et al. 2024). 0 guides every step.
     */
    public record SamplerSettings(int steps, double guidance, double shift, double guidanceStop) {
        public SamplerSettings {
            if (steps < 1) throw new IllegalArgumentException("sampler steps must be at least 1, got " + steps);
            if (!(guidance >= 0) || !Double.isFinite(guidance)) {
                throw new IllegalArgumentException("guidance must be a non-negative number, got " + guidance);
            }
            if (!(shift > 0) || !Double.isFinite(shift)) throw new IllegalArgumentException("time shift must be positive, got " + shift);
            if (!(guidanceStop >= 0 && guidanceStop <= 1)) {
                throw new IllegalArgumentException("the guidance stop is a time in [0, 1], got " + guidanceStop);
            }
        }

        /** Guidance at every step. */
        public SamplerSettings(int steps, double guidance, double shift) {
            this(steps, guidance, shift, 0);
        }

        /**
         * These settings with each given value instead of its own (null keeps this one's). The values come from a
         * user (options, a run's settings), so a bad one is refused with the message alone.
         */
        public SamplerSettings overriding(Integer newSteps, Double newGuidance, Double newGuidanceStop) {
            try {
                return new SamplerSettings(newSteps != null ? newSteps : steps, newGuidance != null ? newGuidance : guidance, shift,
                        newGuidanceStop != null ? newGuidanceStop : guidanceStop);
            } catch (IllegalArgumentException e) {
                throw new LoupeException(e.getMessage());
            }
        }

        public JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("kind", "euler");
            o.addProperty("steps", steps);
            o.addProperty("guidance", guidance);
            o.addProperty("shift", shift);
            o.addProperty("guidance_stop", guidanceStop);
            o.addProperty("classifier_free_guidance", "v = v(empty) + guidance (v(prompt) - v(empty)) at steps from times t >= guidance_stop, "
                    + "v(prompt) below; both halves in one batch at every step");
            return o;
        }

        /** A card without {@code guidance_stop} guides every step, as the models made before it did. */
        static SamplerSettings fromJson(JsonObject o, String source) {
            try {
                return new SamplerSettings(PixArtConfig.integer(o, "steps", source, 20), number(o, "guidance", source),
                        number(o, "shift", source), PixArtConfig.number(o, "guidance_stop", source, 0));
            } catch (IllegalArgumentException e) {
                throw new LoupeException(source + ": " + e.getMessage());
            }
        }
    }

    /** A model that predicts the velocity. */
    public TextToImageConfig(PixArtConfig transformer, PromptEncoderConfig promptEncoder, SamplerSettings sampler) {
        this(transformer, promptEncoder, sampler, Prediction.VELOCITY);
    }

    public TextToImageConfig {
        if (prediction == null) throw new IllegalArgumentException("a text-to-image model needs a prediction kind");
        if (transformer.captionChannels() == null || transformer.captionChannels() != promptEncoder.width()) {
            throw new IllegalArgumentException("the transformer's caption_channels (" + transformer.captionChannels()
                    + ") must equal the prompt encoder's width (" + promptEncoder.width() + ")");
        }
        if (transformer.inChannels() != 3 || transformer.effectiveOutChannels() != 3) {
            throw new IllegalArgumentException("a pixel-space model takes and gives RGB (3 channels), not "
                    + transformer.inChannels() + " -> " + transformer.effectiveOutChannels());
        }
    }

    /** The image side in pixels. */
    public int imageSize() {
        return transformer.sampleSize();
    }

    /** The same model predicting {@code other}. */
    public TextToImageConfig withPrediction(Prediction other) {
        return new TextToImageConfig(transformer, promptEncoder, sampler, other);
    }

    /** The objective, for the model card. */
    public JsonObject objectiveJson() {
        JsonObject o = new JsonObject();
        o.addProperty("kind", "rectified-flow");
        o.addProperty("output", prediction.key());
        o.addProperty("prediction", prediction.description());
        o.addProperty("loss", "mean squared error of the velocity");
        o.addProperty("path", "x_t = (1 - t) x0 + t noise, x0 = 2 rgb - 1");
        o.addProperty("model_timestep", "1000 t");
        return o;
    }

    /** The card sections {@code config}, {@code prompt_encoder}, {@code objective} and {@code sampler}. */
    public void writeTo(JsonObject card) {
        card.add("config", transformer.toJson());
        card.add("prompt_encoder", promptEncoder.toJson());
        card.add("objective", objectiveJson());
        card.add("sampler", sampler.toJson());
    }

    /**
     * Reads the sections {@link #writeTo} writes. A card without {@code objective.output} predicts the velocity, as
     * every model made before image prediction did.
     */
    public static TextToImageConfig fromCard(JsonObject card, String source) {
        for (String key : new String[] {"config", "prompt_encoder", "sampler"}) {
            if (!card.has(key) || !card.get(key).isJsonObject()) {
                throw new LoupeException(source + " has no \"" + key + "\" object: not a text-to-image model card");
            }
        }
        try {
            return new TextToImageConfig(PixArtConfig.fromJson(card.getAsJsonObject("config"), source),
                    PromptEncoderConfig.fromJson(card.getAsJsonObject("prompt_encoder"), source),
                    SamplerSettings.fromJson(card.getAsJsonObject("sampler"), source), prediction(card, source));
        } catch (IllegalArgumentException e) {
            throw new LoupeException(source + ": " + e.getMessage());
        }
    }

    private static Prediction prediction(JsonObject card, String source) {
        if (!card.has("objective") || !card.get("objective").isJsonObject() || !card.getAsJsonObject("objective").has("output")) {
            return Prediction.VELOCITY;
        }
        com.google.gson.JsonElement output = card.getAsJsonObject("objective").get("output");
        String key = output.isJsonPrimitive() ? output.getAsString() : output.toString();
        Prediction p = Prediction.ofKey(key);
        if (p == null) throw new LoupeException(source + ": objective.output is \"" + key + "\"; expected \"velocity\" or \"image\"");
        return p;
    }

    private static double number(JsonObject o, String key, String source) {
        PromptEncoderConfig.required(o, key, source);
        return PixArtConfig.number(o, key, source, 0);
    }
}
