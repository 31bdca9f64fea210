package dev.loupe.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import dev.loupe.LoupeException;
import org.junit.jupiter.api.Test;

class PredictionTest {
    @Test
    void aVelocityIsTakenAsItIs() {
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray out = nd.create(new float[] {1, -2, 3, 4}, new Shape(1, 1, 2, 2));
            NDArray xt = nd.create(new float[] {9, 9, 9, 9}, new Shape(1, 1, 2, 2));
            assertSame(out, Prediction.VELOCITY.velocity(out, xt, nd.create(new float[] {0.5f})));
        }
    }

    @Test
    void anImageBecomesTheVelocityThatLandsOnItAtTimeZero() {
        try (NDManager nd = NDManager.newBaseManager()) {
            // two images at times 0.5 and 0.01 (below the clip)
            NDArray x0 = nd.create(new float[] {0.2f, -0.4f, 1, 0}, new Shape(2, 1, 1, 2));
            NDArray xt = nd.create(new float[] {1.2f, 0.6f, 0.98f, 0.03f}, new Shape(2, 1, 1, 2));
            NDArray t = nd.create(new float[] {0.5f, 0.01f});
            float[] v = Prediction.IMAGE.velocity(x0, xt, t).toFloatArray();
            assertArrayEquals(new float[] {2f, 2f, -0.4f, 0.6f}, v, 1e-5f, "(x_t - x0) / max(t, 0.05)");
            // one Euler step from t = 0.5 to 0 with it reaches the predicted image
            float[] landed = xt.get("0:1").sub(Prediction.IMAGE.velocity(x0, xt, t).get("0:1").mul(0.5f)).toFloatArray();
            assertArrayEquals(x0.get("0:1").toFloatArray(), landed, 1e-6f);
            // a scalar time serves a whole batch, as the sampler passes it
            assertArrayEquals(new float[] {2f, 2f, -0.04f, 0.06f},
                    Prediction.IMAGE.velocity(x0, xt, nd.create(new float[] {0.5f})).toFloatArray(), 1e-5f);
        }
    }

    @Test
    void theCardNamesThePredictionAndACardWithoutOnePredictsTheVelocity() {
        TextToImageConfig velocity = DitTrainerTest.tinyConfig();
        TextToImageConfig image = velocity.withPrediction(Prediction.IMAGE);
        JsonObject card = new JsonObject();
        image.writeTo(card);
        assertEquals("image", card.getAsJsonObject("objective").get("output").getAsString());
        assertEquals(image, TextToImageConfig.fromCard(card, "model.json"));

        card.getAsJsonObject("objective").remove("output");
        assertEquals(velocity, TextToImageConfig.fromCard(card, "model.json"), "the models made before image prediction");
        card.remove("objective");
        assertEquals(velocity, TextToImageConfig.fromCard(card, "model.json"));

        JsonObject bad = new JsonObject();
        image.writeTo(bad);
        bad.getAsJsonObject("objective").addProperty("output", "noise");
        LoupeException e = assertThrows(LoupeException.class, () -> TextToImageConfig.fromCard(bad, "some/model.json"));
        assertTrue(e.getMessage().contains("some/model.json") && e.getMessage().contains("\"noise\""), e.getMessage());
    }
}
