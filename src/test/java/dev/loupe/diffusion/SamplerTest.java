package dev.loupe.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.LoupeException;
import dev.loupe.diffusion.cache.CacheSchedule;
import dev.loupe.diffusion.cache.Component;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {
    static final int STEPS = 4;

    /** A tiny pixel-space model with PyTorch's default random initialisation. */
    static TextToImageModel tinyModel(NDManager nd, int blocks) {
        PixArtConfig transformer = PixArtConfig.of(2, 8, blocks, 3, 3, 32, 8, 16);
        PromptEncoderConfig encoder = PromptEncoderConfig.of(16, 1, 2, 24);
        return new TextToImageModel(nd, new TextToImageConfig(transformer, encoder,
                new TextToImageConfig.SamplerSettings(STEPS, 3.0, 1.0)));
    }

    static float[] image(NDArray images, int i) {
        return images.get(i).toFloatArray();
    }

    @Test
    void anImageDependsOnItsPromptAndSeedOnlyNotOnTheRestOfTheBatch() {
        try (NDManager nd = NDManager.newBaseManager()) {
            Sampler sampler = new Sampler(tinyModel(nd, 2));
            Sampler.Request target = new Sampler.Request("a red circle and a blue square on a striped gray background", 7);
            NDArray alone = sampler.render(nd, List.of(target), null).images();
            NDArray inBatch = sampler.render(nd, List.of(new Sampler.Request("a green star", 1), target,
                    new Sampler.Request("a yellow ring on a plain black background", 7)), null).images();
            NDArray reordered = sampler.render(nd, List.of(target, new Sampler.Request("a pink cross", 99)), null).images();
            assertEquals(new Shape(1, 3, 32, 32), alone.getShape());
            assertArrayEquals(image(alone, 0), image(inBatch, 1), 1e-5f);
            assertArrayEquals(image(alone, 0), image(reordered, 0), 1e-5f);
            float[] pixels = image(alone, 0);
            for (float p : pixels) assertTrue(p >= 0 && p <= 1, "pixels in [0, 1]");
        }
    }

    @Test
    void seedAndPromptBothChangeTheImage() {
        try (NDManager nd = NDManager.newBaseManager()) {
            Sampler sampler = new Sampler(tinyModel(nd, 1));
            NDArray images = sampler.render(nd, List.of(new Sampler.Request("a red ring", 0),
                    new Sampler.Request("a red ring", 1), new Sampler.Request("a blue ring", 0)), null).images();
            assertTrue(images.get(0).sub(images.get(1)).abs().max().getFloat() > 1e-3f, "another seed");
            assertTrue(images.get(0).sub(images.get(2)).abs().max().getFloat() > 1e-4f, "another prompt");
        }
    }

    @Test
    void theNoiseOfASeedIsFixedAndIndependentOfTheEngine() {
        assertArrayEquals(RectifiedFlow.noise(42, 3072), RectifiedFlow.noise(42, 3072));
        float[] a = RectifiedFlow.noise(42, 3072);
        double mean = 0;
        double square = 0;
        for (float v : a) {
            mean += v / a.length;
            square += v * v / a.length;
        }
        assertEquals(0, mean, 0.06);
        assertEquals(1, square, 0.08);
    }

    @Test
    void anAllRecomputeScheduleGivesExactlyTheUncachedImages() {
        try (NDManager nd = NDManager.newBaseManager()) {
            TextToImageModel model = tinyModel(nd, 2);
            Sampler sampler = new Sampler(model);
            List<Sampler.Request> requests = Sampler.grid(List.of("a red circle", "a cyan star on a plain white background"),
                    List.of(0L, 1L));
            try (Sampler.Prepared batch = sampler.prepare(nd, requests)) {
                Sampler.Result plain = sampler.render(nd, batch, null, null);
                Sampler.Result all = sampler.render(nd, batch, CacheSchedule.noCache(STEPS, 2), null);
                assertArrayEquals(plain.images().toFloatArray(), all.images().toFloatArray(), 0f);
                // a FORA-like schedule reuses outputs, so it gives other (close) images
                CacheSchedule skipOdd = CacheSchedule.noCache(STEPS, 2);
                for (int b = 0; b < 2; b++) for (Component c : Component.values()) skipOdd = skipOdd.with(1, b, c, false).with(3, b, c, false);
                Sampler.Result cached = sampler.render(nd, batch, skipOdd, null);
                float diff = cached.images().sub(plain.images()).abs().max().getFloat();
                assertTrue(diff > 0, "caching changes the images");
            }
        }
    }

    @Test
    void reportsTheTimeOfEveryStep() {
        try (NDManager nd = NDManager.newBaseManager()) {
            Sampler sampler = new Sampler(tinyModel(nd, 1));
            List<Integer> seen = new ArrayList<>();
            try (Sampler.Prepared batch = sampler.prepare(nd, List.of(new Sampler.Request("a red ring", 3)))) {
                Sampler.Result r = sampler.render(nd, batch, null, (step, steps, nanos) -> {
                    assertEquals(STEPS, steps);
                    assertTrue(nanos > 0);
                    seen.add(step);
                });
                assertEquals(List.of(0, 1, 2, 3), seen);
                assertEquals(STEPS, r.stepMs().length);
                double sum = 0;
                for (double ms : r.stepMs()) sum += ms;
                assertTrue(r.totalMs() >= sum, "the total covers every step");
            }
        }
    }

    @Test
    void aScheduleOfOtherDimensionsIsRefused() {
        try (NDManager nd = NDManager.newBaseManager()) {
            Sampler sampler = new Sampler(tinyModel(nd, 2));
            try (Sampler.Prepared batch = sampler.prepare(nd, List.of(new Sampler.Request("a red ring", 0)))) {
                LoupeException e = assertThrows(LoupeException.class,
                        () -> sampler.render(nd, batch, CacheSchedule.noCache(20, 28), null));
                assertTrue(e.getMessage().contains("20 steps x 28 blocks") && e.getMessage().contains("4 steps x 2 blocks"),
                        e.getMessage());
            }
        }
    }

    @Test
    void withoutGuidanceOnlyThePromptedHalfRuns() {
        try (NDManager nd = NDManager.newBaseManager()) {
            TextToImageModel model = tinyModel(nd, 1);
            Sampler unguided = new Sampler(model, new TextToImageConfig.SamplerSettings(STEPS, 1.0, 1.0));
            Sampler guided = new Sampler(model, new TextToImageConfig.SamplerSettings(STEPS, 3.0, 1.0));
            assertTrue(!unguided.guided() && guided.guided());
            List<Sampler.Request> one = List.of(new Sampler.Request("a red ring", 5));
            NDArray a = unguided.render(nd, one, null).images();
            NDArray b = guided.render(nd, one, null).images();
            assertTrue(a.sub(b).abs().max().getFloat() > 0, "guidance changes the image");
        }
    }

    @Test
    void stepsThatStartBelowTheGuidanceStopUseThePromptAlone() {
        try (NDManager nd = NDManager.newBaseManager()) {
            TextToImageModel model = tinyModel(nd, 1);
            TextToImageConfig.SamplerSettings guided = new TextToImageConfig.SamplerSettings(4, 3.0, 1.0);
            Sampler everyStep = new Sampler(model, guided);
            Sampler lastTwoUnguided = new Sampler(model, guided.overriding(null, null, 0.6)); // times 1, 0.75 | 0.5, 0.25
            Sampler noStep = new Sampler(model, guided.overriding(null, 1.0, null));
            assertArrayEquals(new boolean[] {true, true, false, false}, guidedSteps(lastTwoUnguided));
            assertArrayEquals(new boolean[] {true, true, true, true}, guidedSteps(everyStep));
            List<Sampler.Request> one = List.of(new Sampler.Request("a red ring", 5));
            NDArray all = everyStep.render(nd, one, null).images();
            NDArray stopped = lastTwoUnguided.render(nd, one, null).images();
            NDArray none = noStep.render(nd, one, null).images();
            assertTrue(stopped.sub(all).abs().max().getFloat() > 0 && stopped.sub(none).abs().max().getFloat() > 0,
                    "guiding the first two steps only is neither guiding all nor none");
            NDArray belowEveryStep = new Sampler(model, guided.overriding(null, null, 1e-9)).render(nd, one, null).images();
            assertEquals(0f, belowEveryStep.sub(all).abs().max().getFloat(), "a stop below every step's time guides them all");
        }
        assertThrows(LoupeException.class, () -> new TextToImageConfig.SamplerSettings(4, 3.0, 1.0).overriding(null, null, -0.1));
    }

    private static boolean[] guidedSteps(Sampler sampler) {
        boolean[] guided = new boolean[sampler.steps()];
        for (int i = 0; i < guided.length; i++) guided[i] = sampler.guides(i);
        return guided;
    }

    @Test
    void timesRunFromNoiseToImage() {
        double[] even = RectifiedFlow.times(4, 1.0);
        assertArrayEquals(new double[] {1, 0.75, 0.5, 0.25, 0}, even, 1e-12);
        double[] shifted = RectifiedFlow.times(4, 3.0);
        assertEquals(1, shifted[0], 1e-12);
        assertEquals(0, shifted[4], 1e-12);
        assertTrue(shifted[2] > 0.5, "a shift above 1 spends more steps at high noise");
    }

    @Test
    void aShareOfUniformTimesTrainsTheLowNoiseEndAndNoShareKeepsTheRecipesDraws() {
        SplittableRandom plain = new SplittableRandom(3);
        SplittableRandom none = new SplittableRandom(3);
        for (int i = 0; i < 1000; i++) {
            double logitNormal = 1 / (1 + Math.exp(-(0.5 + 1.5 * plain.nextGaussian())));
            assertEquals((float) RectifiedFlow.shift(logitNormal, 3), RectifiedFlow.trainingTime(none, 0.5, 1.5, 3, 0));
        }
        int n = 100_000;
        double shippedLow = lowShare(new SplittableRandom(5), n, 0);
        double mixedLow = lowShare(new SplittableRandom(5), n, 0.2);
        // the shift-3 logit-normal puts about 0.2% of its times below 0.14; a fifth uniform adds 0.2 x 0.14 = 2.8%
        assertTrue(shippedLow < 0.004, "shifted logit-normal below t = 0.14: " + shippedLow);
        assertEquals(0.2 * 0.14 + 0.8 * shippedLow, mixedLow, 0.003);
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < n; i++) {
            float t = RectifiedFlow.trainingTime(r, 0, 1, 3, 0.5);
            assertTrue(t > 0 && t <= 1, "a training time in (0, 1]: " + t);
        }
    }

    private static double lowShare(SplittableRandom random, int n, double uniform) {
        int low = 0;
        for (int i = 0; i < n; i++) if (RectifiedFlow.trainingTime(random, 0, 1, 3, uniform) < 0.14) low++;
        return (double) low / n;
    }
}
