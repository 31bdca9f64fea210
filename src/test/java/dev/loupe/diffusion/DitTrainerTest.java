package dev.loupe.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.loupe.LoupeException;
import dev.loupe.Progress;
import dev.loupe.backbone.SampleVitBackbone;
import dev.loupe.backbone.SampleVitConfig;
import dev.loupe.world.RenderedScene;
import dev.loupe.world.ShapesWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DitTrainerTest {
    static TextToImageConfig tinyConfig() {
        PixArtConfig transformer = PixArtConfig.of(2, 8, 2, 3, 3, 32, 8, 16);
        return new TextToImageConfig(transformer, PromptEncoderConfig.of(16, 1, 2, 24),
                new TextToImageConfig.SamplerSettings(4, 3.0, 1.0));
    }

    static DitTrainer.Options options(long steps) {
        // the recipe, shortened: a short warm-up, no sample sheets
        return new DitTrainer.Options(steps, 8, 3e-3f, 2, 0.9, 0.1, 0.0, 1.0, 3.0, 0, 5, 100, 0, 0, 0);
    }

    /** Cancels once {@code after} steps are done. */
    static Progress cancelAfter(long after) {
        return new Progress() {
            long steps;

            @Override
            public void update(double fraction, String message) {
                steps++;
            }

            @Override
            public boolean isCancelled() {
                return steps >= after;
            }
        };
    }

    static Map<String, float[]> weights(TextToImageModel model) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    /** The mean of the last four losses is below 0.9x that of the first four. */
    static void assertLossFalls(List<Double> l) {
        double first = l.subList(0, 4).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = l.subList(l.size() - 4, l.size()).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < 0.9 * first, "loss " + first + " -> " + last);
    }

    @Test
    void theLossFalls(@TempDir Path dir) {
        try (NDManager nd = NDManager.newBaseManager()) {
            // unshifted times: the shifted recipe draws most times near pure noise, where 20 steps of a tiny model
            // change the batch loss less than the batches differ from each other
            DitTrainer.Options unshifted = options(20).withTimes(0.0, 1.0, 1.0, 0);
            DitTrainer trainer = new DitTrainer(new TextToImageModel(nd, tinyConfig()), unshifted, dir);
            DitTrainer.Result r = trainer.train(false, Progress.NONE);
            assertEquals(20, r.losses().size());
            assertLossFalls(r.losses());
            assertTrue(r.wallSeconds() > 0 && r.cpuSeconds() > 0);
        }
    }

    @Test
    void aResumedRunContinuesExactly(@TempDir Path straight, @TempDir Path interrupted) {
        Map<String, float[]> expected;
        Map<String, float[]> expectedEma;
        List<Double> expectedLosses;
        try (NDManager nd = NDManager.newBaseManager()) {
            TextToImageModel model = new TextToImageModel(nd, tinyConfig());
            DitTrainer trainer = new DitTrainer(model, options(6), straight);
            expectedLosses = trainer.train(false, Progress.NONE).losses();
            expected = weights(model);
            expectedEma = weights(trainer.ema());
        }
        try (NDManager nd = NDManager.newBaseManager()) {
            DitTrainer trainer = new DitTrainer(new TextToImageModel(nd, tinyConfig()), options(6), interrupted);
            DitTrainer.Result first = trainer.train(false, cancelAfter(3));
            assertTrue(first.cancelled());
            assertEquals(3, first.step());
        }
        try (NDManager nd = NDManager.newBaseManager()) {
            TextToImageModel model = new TextToImageModel(nd, tinyConfig());
            DitTrainer trainer = new DitTrainer(model, options(6), interrupted);
            DitTrainer.Result rest = trainer.train(true, Progress.NONE);
            assertEquals(6, rest.step());
            assertEquals(expectedLosses, rest.losses());
            Map<String, float[]> resumed = weights(model);
            Map<String, float[]> resumedEma = weights(trainer.ema());
            expected.forEach((k, v) -> assertArrayEquals(v, resumed.get(k), k));
            expectedEma.forEach((k, v) -> assertArrayEquals(v, resumedEma.get(k), "ema " + k));
        }
    }

    /** The tiny DiT's token grid (32 px, patch 8). */
    static final int GRID = 4;

    /** A tiny random ViT as the alignment teacher: patch 8, so that a 32 px scene has the tiny DiT's 4 x 4 grid. */
    static SampleVitBackbone tinyTeacher() {
        return SampleVitBackbone.random(new SampleVitConfig(8, 12, 1, 2, 24, 9, 32, List.of()), "tiny-teacher");
    }

    @Test
    void anAlignedRunTrainsTheProjectorAndResumesExactly(@TempDir Path straight, @TempDir Path interrupted, @TempDir Path plain) {
        Map<String, float[]> expected;
        List<Double> expectedLosses;
        List<Double> plainLosses;
        // one teacher for every run: its random weights are the targets
        try (SampleVitBackbone teacher = tinyTeacher()) {
            try (NDManager nd = NDManager.newBaseManager()) {
                TextToImageModel model = new TextToImageModel(nd, tinyConfig());
                RepresentationAlignment alignment = new RepresentationAlignment(model, teacher, 1, 0.5, GRID, 3e-3f, 5);
                assertEquals(32, alignment.teacherSize());
                DitTrainer trainer = new DitTrainer(model, options(4), straight, alignment);
                expectedLosses = trainer.train(false, Progress.NONE).losses();
                expected = weights(model);
                var recorded = trainer.phases().get(0).getAsJsonObject().getAsJsonObject("representation_alignment");
                assertEquals("tiny-teacher", recorded.get("teacher").getAsString());
                assertEquals(1, recorded.get("after_block").getAsInt());
            }
            try (NDManager nd = NDManager.newBaseManager()) {
                plainLosses = new DitTrainer(new TextToImageModel(nd, tinyConfig()), options(4), plain).train(false, Progress.NONE).losses();
            }
            // the same first step (same weights and batch: the flow loss before any update), then the alignment's gradient shows
            assertEquals(plainLosses.get(0), expectedLosses.get(0), 1e-6);
            assertTrue(!plainLosses.get(3).equals(expectedLosses.get(3)), "the alignment loss changed nothing");
            try (NDManager nd = NDManager.newBaseManager()) {
                TextToImageModel model = new TextToImageModel(nd, tinyConfig());
                DitTrainer trainer = new DitTrainer(model, options(4), interrupted, new RepresentationAlignment(model, teacher, 1, 0.5, GRID, 3e-3f, 5));
                assertEquals(2, trainer.train(false, cancelAfter(2)).step());
            }
            assertTrue(Files.isRegularFile(interrupted.resolve(DitTrainer.TRAINING_DIR).resolve(RepresentationAlignment.PROJECTOR_FILE)));
            try (NDManager nd = NDManager.newBaseManager()) {
                TextToImageModel model = new TextToImageModel(nd, tinyConfig());
                DitTrainer trainer = new DitTrainer(model, options(4), interrupted, new RepresentationAlignment(model, teacher, 1, 0.5, GRID, 3e-3f, 5));
                DitTrainer.Result rest = trainer.train(true, Progress.NONE);
                assertEquals(expectedLosses, rest.losses());
                Map<String, float[]> resumed = weights(model);
                expected.forEach((k, v) -> assertArrayEquals(v, resumed.get(k), k));
                assertEquals(1, trainer.phases().size());
            }
        }
    }

    @Test
    void aPlainRunContinuedWithAlignmentStartsAProjectorInANewPhase(@TempDir Path dir) {
        try (NDManager nd = NDManager.newBaseManager()) {
            new DitTrainer(new TextToImageModel(nd, tinyConfig()), options(2), dir).train(false, Progress.NONE);
        }
        try (NDManager nd = NDManager.newBaseManager(); SampleVitBackbone teacher = tinyTeacher()) {
            TextToImageModel model = new TextToImageModel(nd, tinyConfig());
            DitTrainer trainer = new DitTrainer(model, options(3), dir, new RepresentationAlignment(model, teacher, 1, 0.5, GRID, 3e-3f, 5));
            assertEquals(3, trainer.train(true, Progress.NONE).step());
            var phases = trainer.phases();
            assertEquals(2, phases.size());
            assertTrue(!phases.get(0).getAsJsonObject().has("representation_alignment"));
            assertTrue(phases.get(1).getAsJsonObject().has("representation_alignment"));
        }
    }

    @Test
    void aCoarserAlignmentGridAveragesEachTeacherPatchsTokens() {
        try (NDManager nd = NDManager.newBaseManager(); SampleVitBackbone teacher = tinyTeacher()) {
            TextToImageModel model = new TextToImageModel(nd, tinyConfig());
            RepresentationAlignment same = new RepresentationAlignment(model, teacher, 1, 0.5, GRID, 1e-3f, 9);
            RepresentationAlignment coarse = new RepresentationAlignment(model, teacher, 1, 0.5, 2, 1e-3f, 9);
            assertEquals(16, coarse.teacherSize());
            int width = model.config().transformer().innerDim();
            float[] tokens = new float[GRID * GRID * width];
            for (int i = 0; i < tokens.length; i++) tokens[i] = (float) Math.sin(0.37 * i + 1);
            // token (row r, column c) joins teacher patch (r / 2, c / 2)
            float[] pooled = new float[4 * width];
            for (int r = 0; r < GRID; r++) {
                for (int c = 0; c < GRID; c++) {
                    int patch = (r / 2) * 2 + c / 2;
                    for (int k = 0; k < width; k++) pooled[patch * width + k] += tokens[(r * GRID + c) * width + k] / 4;
                }
            }
            float[] targets = new float[4 * teacher.channels()];
            for (int i = 0; i < targets.length; i++) targets[i] = (float) Math.cos(0.11 * i);
            NDArray t = nd.create(targets, new Shape(1, 4, teacher.channels()));
            float expected = same.loss(nd.create(pooled, new Shape(1, 4, width)), t).getFloat();
            assertEquals(expected, coarse.loss(nd.create(tokens, new Shape(1, GRID * GRID, width)), t).getFloat(), 1e-6);
            assertThrows(LoupeException.class, () -> new RepresentationAlignment(model, teacher, 1, 0.5, 3, 1e-3f, 0));
        }
    }

    @Test
    void theShapeHeadNamesEachPixelFromTheTokenOverIt() {
        try (NDManager nd = NDManager.newBaseManager(); SampleVitBackbone teacher = tinyTeacher()) {
            TextToImageModel model = new TextToImageModel(nd, tinyConfig());
            RepresentationAlignment alignment = new RepresentationAlignment(model, teacher, 1, 0.5, GRID, 1.0, 0, 1e-3f, 9);
            int width = model.config().transformer().innerDim();
            int patch = model.config().transformer().patchSize();
            int side = GRID * patch;
            int classes = RepresentationAlignment.SHAPE_CLASSES;
            long[] mask = new long[side * side];
            for (int i = 0; i < mask.length; i++) mask[i] = (i * 7L + i / side) % classes;
            // token n is the n-th unit vector; the head's weight puts a large logit on the class of each of its pixels
            float[] tokens = new float[GRID * GRID * width];
            for (int n = 0; n < GRID * GRID; n++) tokens[n * width + n] = 1;
            float[] weight = new float[patch * patch * classes * width];
            for (int n = 0; n < GRID * GRID; n++) {
                for (int dy = 0; dy < patch; dy++) {
                    for (int dx = 0; dx < patch; dx++) {
                        long k = mask[((n / GRID) * patch + dy) * side + (n % GRID) * patch + dx];
                        weight[(int) (((dy * patch + dx) * classes + k) * width + n)] = 30;
                    }
                }
            }
            alignment.shapeHead().load(Map.of("linear.weight", nd.create(weight, new Shape(patch * patch * classes, width)),
                    "linear.bias", nd.zeros(new Shape(patch * patch * classes))), "test weights");
            NDArray t = nd.create(tokens, new Shape(1, GRID * GRID, width));
            assertEquals(0, alignment.shapeLoss(t, nd.create(mask, new Shape(1, side, side))).getFloat(), 1e-6);
            // the same classes a pixel off (a layout error would look like this) cost about the full logit
            long[] shifted = new long[mask.length];
            for (int i = 0; i < mask.length; i++) shifted[i] = mask[(i + 1) % mask.length];
            assertTrue(alignment.shapeLoss(t, nd.create(shifted, new Shape(1, side, side))).getFloat() > 20);
        }
    }

    @Test
    void thePerceptualTermIsZeroForTheCleanImageAndReachesTheEstimate() {
        try (SampleVitBackbone teacher = tinyTeacher(); NDManager nd = NDManager.newBaseManager()) {
            TextToImageModel model = new TextToImageModel(nd, tinyConfig());
            RepresentationAlignment alignment = new RepresentationAlignment(model, teacher, 1, 0.5, GRID, 0, 2.0, 1e-3f, 9);
            nd.getEngine().setRandomSeed(4);
            NDArray clean = nd.randomUniform(-1f, 1f, new Shape(2, 3, 32, 32));
            NDArray targets = alignment.perceptualTokens(clean, false);
            NDArray t = nd.create(new float[] {0.3f, 0.6f});
            assertEquals(0, alignment.perceptualLoss(clean, targets, t).getFloat(), 1e-5);
            NDArray estimate = clean.add(nd.randomNormal(0f, 0.5f, new Shape(2, 3, 32, 32), ai.djl.ndarray.types.DataType.FLOAT32));
            estimate.setRequiresGradient(true);
            float loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray term = alignment.perceptualLoss(estimate, targets, t);
                loss = term.getFloat();
                collector.backward(term);
            }
            assertTrue(loss > 0, "a noisy estimate costs something: " + loss);
            float[] gradient = estimate.getGradient().toFloatArray();
            double norm = 0;
            for (float g : gradient) {
                assertTrue(Float.isFinite(g));
                norm += g * g;
            }
            assertTrue(norm > 0, "the term reaches the estimate");
            assertEquals(0, alignment.perceptualLoss(estimate, targets, nd.ones(new Shape(2))).getFloat(), 1e-6, "t = 1 leaves it to the pixel loss");
            assertThrows(LoupeException.class, () -> new RepresentationAlignment(model, teacher, 1, 0.5, GRID, 0, -1, 1e-3f, 9));
        }
    }

    @Test
    void aRunWithThePerceptualTermTrainsAndRecordsIt(@TempDir Path dir) {
        try (SampleVitBackbone teacher = tinyTeacher(); NDManager nd = NDManager.newBaseManager()) {
            TextToImageModel model = new TextToImageModel(nd, tinyConfig());
            DitTrainer trainer = new DitTrainer(model, options(3), dir, new RepresentationAlignment(model, teacher, 1, 0.5, GRID, 0, 2.0, 3e-3f, 5));
            List<Double> losses = trainer.train(false, Progress.NONE).losses();
            assertEquals(3, losses.size());
            for (double loss : losses) assertTrue(Double.isFinite(loss));
            var recorded = trainer.phases().get(0).getAsJsonObject().getAsJsonObject("representation_alignment");
            assertEquals(2.0, recorded.get("perceptual_weight").getAsDouble());
        }
    }

    @Test
    void aRunWithTheShapeTermResumesExactlyAndRecordsIt(@TempDir Path straight, @TempDir Path interrupted) {
        List<Double> expectedLosses;
        try (SampleVitBackbone teacher = tinyTeacher()) {
            try (NDManager nd = NDManager.newBaseManager()) {
                TextToImageModel model = new TextToImageModel(nd, tinyConfig());
                DitTrainer trainer = new DitTrainer(model, options(4), straight,
                        new RepresentationAlignment(model, teacher, 1, 0.5, GRID, 2.0, 0, 3e-3f, 5));
                expectedLosses = trainer.train(false, Progress.NONE).losses();
                var recorded = trainer.phases().get(0).getAsJsonObject().getAsJsonObject("representation_alignment");
                assertEquals(2.0, recorded.get("shape_weight").getAsDouble());
            }
            try (NDManager nd = NDManager.newBaseManager()) {
                TextToImageModel model = new TextToImageModel(nd, tinyConfig());
                new DitTrainer(model, options(4), interrupted, new RepresentationAlignment(model, teacher, 1, 0.5, GRID, 2.0, 0, 3e-3f, 5))
                        .train(false, cancelAfter(2));
            }
            assertTrue(Files.isRegularFile(interrupted.resolve(DitTrainer.TRAINING_DIR).resolve(RepresentationAlignment.SHAPE_HEAD_FILE)));
            try (NDManager nd = NDManager.newBaseManager()) {
                TextToImageModel model = new TextToImageModel(nd, tinyConfig());
                DitTrainer trainer = new DitTrainer(model, options(4), interrupted,
                        new RepresentationAlignment(model, teacher, 1, 0.5, GRID, 2.0, 0, 3e-3f, 5));
                assertEquals(expectedLosses, trainer.train(true, Progress.NONE).losses());
                assertEquals(1, trainer.phases().size());
            }
        }
    }

    @Test
    void alignmentNeedsABlockOfTheModelAndAPositiveWeight() {
        try (NDManager nd = NDManager.newBaseManager(); SampleVitBackbone teacher = tinyTeacher()) {
            TextToImageModel model = new TextToImageModel(nd, tinyConfig());
            assertThrows(LoupeException.class, () -> new RepresentationAlignment(model, teacher, 3, 0.5, GRID, 1e-3f, 0));
            assertThrows(LoupeException.class, () -> new RepresentationAlignment(model, teacher, 0, 0.5, GRID, 1e-3f, 0));
            assertThrows(LoupeException.class, () -> new RepresentationAlignment(model, teacher, 1, 0, GRID, 1e-3f, 0));
        }
    }

    @Test
    void aLongerOrReshiftedContinuationIsRecordedAsAPhase(@TempDir Path dir) {
        try (NDManager nd = NDManager.newBaseManager()) {
            DitTrainer trainer = new DitTrainer(new TextToImageModel(nd, tinyConfig()), options(2), dir);
            trainer.train(false, Progress.NONE);
            assertEquals(1, trainer.phases().size());
        }
        try (NDManager nd = NDManager.newBaseManager()) {
            // resuming a finished run with the same options trains nothing and adds no phase
            DitTrainer trainer = new DitTrainer(new TextToImageModel(nd, tinyConfig()), options(2), dir);
            trainer.train(true, Progress.NONE);
            assertEquals(1, trainer.phases().size());
        }
        try (NDManager nd = NDManager.newBaseManager()) {
            DitTrainer trainer = new DitTrainer(new TextToImageModel(nd, tinyConfig()), options(3).withTimes(0.0, 1.0, 1.0, 0.3), dir);
            assertEquals(3, trainer.train(true, Progress.NONE).step());
            var phases = trainer.phases();
            assertEquals(2, phases.size());
            assertEquals(0, phases.get(0).getAsJsonObject().get("from_step").getAsLong());
            assertEquals(2, phases.get(1).getAsJsonObject().get("from_step").getAsLong());
            assertEquals(1.0, phases.get(1).getAsJsonObject().get("time_shift").getAsDouble());
            assertEquals(0.3, phases.get(1).getAsJsonObject().get("time_uniform").getAsDouble());
            assertFalse(phases.get(0).getAsJsonObject().has("time_uniform"), "the recipe's times are not a mixture");
            // and the checkpoint keeps them for the next continuation
            assertEquals(phases.toString(), dev.loupe.tensor.train.Checkpoint.info(trainer.checkpointDir()).metadata().getAsJsonArray("phases").toString());
        }
    }

    @Test
    void anImagePredictingRunLearnsRecordsItsPredictionAndResumesOnlyAsOne(@TempDir Path dir) throws Exception {
        TextToImageConfig image = tinyConfig().withPrediction(Prediction.IMAGE);
        DitTrainer.Options unshifted = options(20).withTimes(0.0, 1.0, 1.0, 0);
        try (NDManager nd = NDManager.newBaseManager()) {
            DitTrainer trainer = new DitTrainer(new TextToImageModel(nd, image), unshifted, dir);
            assertLossFalls(trainer.train(false, Progress.NONE).losses());
            assertEquals("image", trainer.phases().get(0).getAsJsonObject().get("prediction").getAsString());
            trainer.ema().save(dir, new com.google.gson.JsonObject());
            assertEquals(Prediction.IMAGE, TextToImageModel.load(nd, dir).config().prediction());
        }
        try (NDManager nd = NDManager.newBaseManager()) {
            DitTrainer asVelocity = new DitTrainer(new TextToImageModel(nd, tinyConfig()), options(21).withTimes(0.0, 1.0, 1.0, 0), dir);
            LoupeException e = assertThrows(LoupeException.class, () -> asVelocity.train(true, Progress.NONE));
            assertTrue(e.getMessage().contains("--predict image"), e.getMessage());
        }
        try (NDManager nd = NDManager.newBaseManager()) {
            DitTrainer asImage = new DitTrainer(new TextToImageModel(nd, image), options(21).withTimes(0.0, 1.0, 1.0, 0), dir);
            assertEquals(21, asImage.train(true, Progress.NONE).step());
        }
    }

    @Test
    void aStepLeavesNoArraysBehind(@TempDir Path dir) {
        try (NDManager nd = NDManager.newBaseManager()) {
            TextToImageModel model = new TextToImageModel(nd, tinyConfig());
            DitTrainer trainer = new DitTrainer(model, options(4), dir);
            model.train(true);
            trainer.step(0, trainer.scenes(0)); // makes the optimiser's moments
            int before = ((BaseNDManager) nd).getManagedArrays().size();
            trainer.step(1, trainer.scenes(1));
            trainer.step(2, trainer.scenes(2));
            assertEquals(before, ((BaseNDManager) nd).getManagedArrays().size(), "arrays kept by a training step");
        }
    }

    @Test
    void anExistingCheckpointIsNotOverwrittenWithoutResume(@TempDir Path dir) {
        try (NDManager nd = NDManager.newBaseManager()) {
            new DitTrainer(new TextToImageModel(nd, tinyConfig()), options(1), dir).train(false, Progress.NONE);
            DitTrainer again = new DitTrainer(new TextToImageModel(nd, tinyConfig()), options(2), dir);
            LoupeException e = assertThrows(LoupeException.class, () -> again.train(false, Progress.NONE));
            assertTrue(e.getMessage().contains("--resume"), e.getMessage());
        }
    }

    @Test
    void theFinishedModelSavesAndLoadsWithItsCard(@TempDir Path dir) throws Exception {
        try (NDManager nd = NDManager.newBaseManager()) {
            DitTrainer trainer = new DitTrainer(new TextToImageModel(nd, tinyConfig()), options(1), dir);
            trainer.train(false, Progress.NONE);
            com.google.gson.JsonObject card = new com.google.gson.JsonObject();
            card.addProperty("name", "tiny");
            trainer.ema().save(dir, card);
            TextToImageModel loaded = TextToImageModel.load(nd, dir);
            assertEquals(tinyConfig(), loaded.config());
            Map<String, float[]> saved = weights(trainer.ema());
            weights(loaded).forEach((k, v) -> assertArrayEquals(saved.get(k), v, k));
            // a damaged weight file is named
            Path weights = dir.resolve(TextToImageModel.TRANSFORMER_FILE);
            byte[] bytes = Files.readAllBytes(weights);
            bytes[bytes.length - 1] ^= 1;
            Files.write(weights, bytes);
            LoupeException e = assertThrows(LoupeException.class, () -> TextToImageModel.load(nd, dir));
            assertTrue(e.getMessage().contains(TextToImageModel.TRANSFORMER_FILE), e.getMessage());
        }
    }

    @Test
    void aFineTuningRunStartsFromTheGivenWeightsAndSaysSo(@TempDir Path source, @TempDir Path tuned) {
        try (NDManager nd = NDManager.newBaseManager()) {
            DitTrainer first = new DitTrainer(new TextToImageModel(nd, tinyConfig()), options(3), source);
            first.train(false, Progress.NONE);
            Map<String, float[]> start = weights(first.ema());
            com.google.gson.JsonObject from = new com.google.gson.JsonObject();
            from.addProperty("folder", "source");
            from.addProperty("command", "./loupe train dit --steps 3");
            // a vanishing learning rate: the fine-tuned weights must be the starting ones
            DitTrainer.Options still = new DitTrainer.Options(2, 8, 1e-12f, 2, 0.9, 0.1, 0.0, 1.0, 3.0, 0, 5, 100, 0, 0, 0);
            DitTrainer fineTuning = new DitTrainer(new TextToImageModel(nd, tinyConfig()), still, tuned);
            fineTuning.startFrom(first.ema(), from);
            fineTuning.train(false, Progress.NONE);
            weights(fineTuning.ema()).forEach((k, v) -> assertArrayEquals(start.get(k), v, 1e-6f, k));
            assertEquals("source", fineTuning.phases().get(0).getAsJsonObject().getAsJsonObject("init_from").get("folder").getAsString());
            TextToImageConfig wider = new TextToImageConfig(PixArtConfig.of(2, 8, 3, 3, 3, 32, 8, 16), tinyConfig().promptEncoder(),
                    tinyConfig().sampler());
            DitTrainer other = new DitTrainer(new TextToImageModel(nd, wider), still, tuned);
            LoupeException e = assertThrows(LoupeException.class, () -> other.startFrom(first.ema(), from));
            assertTrue(e.getMessage().contains("(source) has another architecture"), e.getMessage());
        }
    }

    @Test
    void aScenePoolRepeatsItsScenesInOrder() {
        try (NDManager nd = NDManager.newBaseManager()) {
            DitTrainer pooled = new DitTrainer(new TextToImageModel(nd, tinyConfig()), options(4).withScenePool(12), Path.of("unused"));
            DitTrainer fresh = new DitTrainer(new TextToImageModel(nd, tinyConfig()), options(4), Path.of("unused"));
            // batches of 8 from seed 100: the pool's 12 scenes wrap around within the second batch
            assertEquals(captions(100, 101, 102, 103, 104, 105, 106, 107), captions(pooled.scenes(0)));
            assertEquals(captions(108, 109, 110, 111, 100, 101, 102, 103), captions(pooled.scenes(1)));
            assertEquals(captions(104, 105, 106, 107, 108, 109, 110, 111), captions(pooled.scenes(2)));
            assertEquals(captions(108, 109, 110, 111, 112, 113, 114, 115), captions(fresh.scenes(1)));
        }
        LoupeException e = assertThrows(LoupeException.class, () -> options(2).withScenePool(-1));
        assertTrue(e.getMessage().contains("scene pool"), e.getMessage());
    }

    @Test
    void otherDrawsStartTheScenesElsewhereAndAreRecorded() {
        try (NDManager nd = NDManager.newBaseManager()) {
            DitTrainer.Options moved = options(4).withDraws(9, 5000);
            DitTrainer trainer = new DitTrainer(new TextToImageModel(nd, tinyConfig()), moved, Path.of("unused"));
            assertEquals(captions(5008, 5009, 5010, 5011, 5012, 5013, 5014, 5015), captions(trainer.scenes(1)));
            assertEquals(9, moved.toJson().get("seed").getAsLong());
            assertEquals(5000, moved.toJson().get("first_scene").getAsLong());
        }
        LoupeException e = assertThrows(LoupeException.class, () -> options(2).withDraws(0, -1));
        assertTrue(e.getMessage().contains("first training scene"), e.getMessage());
    }

    private static List<String> captions(long... seeds) {
        return Arrays.stream(seeds).mapToObj(seed -> ShapesWorld.scene(seed).caption()).toList();
    }

    private static List<String> captions(List<RenderedScene> scenes) {
        return scenes.stream().map(RenderedScene::caption).toList();
    }

    @Test
    void theShareOfUniformTimesIsAFraction() {
        for (double share : new double[] {-0.1, 1, Double.NaN}) {
            LoupeException e = assertThrows(LoupeException.class, () -> options(2).withTimes(0, 1, 3, share));
            assertTrue(e.getMessage().contains("uniform training times"), e.getMessage());
        }
    }

    @Test
    void learningRateWarmsUpThenDecaysToATenth() {
        try (NDManager nd = NDManager.newBaseManager()) {
            DitTrainer trainer = new DitTrainer(new TextToImageModel(nd, tinyConfig()),
                    new DitTrainer.Options(102, 8, 1e-3f, 2, 0.9, 0.1, 0, 1, 1, 0, 0, 0, 0, 0, 0), Path.of("unused"));
            assertEquals(5e-4f, trainer.learningRate(0), 1e-9f);
            assertEquals(1e-3f, trainer.learningRate(1), 1e-9f);
            assertEquals(1e-3f, trainer.learningRate(2), 1e-9f);
            assertEquals(1e-4f, trainer.learningRate(102), 1e-9f);
        }
    }
}
