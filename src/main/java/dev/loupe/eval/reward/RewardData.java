package dev.loupe.eval.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.Tensors;
import dev.loupe.world.RenderedScene;
import dev.loupe.world.SceneObject;
import dev.loupe.world.SceneSpec;
import dev.loupe.world.ShapesWorld;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Training and evaluation batches: ShapesWorld scenes rendered at the model's size, optionally mirrored and
 * degraded, with their attributes as targets. Everything is a function of the seeds, so a resumed training run
 * sees exactly the batches an uninterrupted one would. Batches are made in Java arrays first ({@link Scenes}), so
 * that the next one can be prepared on another thread while the network trains on this one.
 */
public final class RewardData {
    /** Training scenes are seeds {@code TRAIN_FIRST_SEED + step * batch + i}. */
    public static final long TRAIN_FIRST_SEED = 0;
    /** Held-out scenes start here, far beyond any training run. */
    public static final long HELD_OUT_FIRST_SEED = 1_000_000_000L;

    private RewardData() {}

    /**
     * Scenes as Java arrays: planar images [B,3,S,S] in [0,1], pair targets [B,PAIRS] (0/1) and class indices.
     */
    public record Scenes(int size, float[] images, float[] pairs, long[] count, long[] kind, long[] backgroundColour,
                         int mapSize, long[] shapeMap, long[] colourMap, List<SceneSpec> specs) {
        public int batchSize() {
            return specs.size();
        }

        /** As tensors in {@code manager}. */
        public Batch toBatch(NDManager manager) {
            int n = batchSize();
            return new Batch(Tensors.of(manager, images, new Shape(n, 3, size, size)),
                    Tensors.of(manager, pairs, new Shape(n, SceneAttributes.PAIRS)),
                    Tensors.of(manager, count), Tensors.of(manager, kind), Tensors.of(manager, backgroundColour),
                    Tensors.of(manager, shapeMap).reshape(n, mapSize, mapSize),
                    Tensors.of(manager, colourMap).reshape(n, mapSize, mapSize), specs);
        }
    }

    /**
     * A batch as tensors: {@code images} float32 [B,3,S,S], {@code pairs} float32 [B,PAIRS] (0/1), {@code count},
     * {@code kind} and {@code backgroundColour} int64 [B] class indices; {@code shapeMap} and {@code colourMap}
     * int64 [B,m,m]: per cell the shape and the colour (index in {@link SceneAttributes#SHAPES} and
     * {@link SceneAttributes#OBJECT_COLOURS}) of the object that covers most of it, {@link #BACKGROUND_CELL} where
     * the background does.
     */
    public record Batch(NDArray images, NDArray pairs, NDArray count, NDArray kind, NDArray backgroundColour,
                        NDArray shapeMap, NDArray colourMap, List<SceneSpec> scenes) {}

    /** The class of background cells in the shape and colour maps (one past the last shape and colour). */
    public static final int BACKGROUND_CELL = 8;

    /** The training scenes of {@code step}: fresh seeds, half of them mirrored, degraded as {@code degrade} says. */
    public static Scenes training(long step, int batchSize, RewardConfig config, Degrade degrade) {
        long first = TRAIN_FIRST_SEED + step * batchSize;
        return scenes(first, batchSize, config, degrade, new Random(0x5eed_2e3aL ^ step), true);
    }

    /**
     * Held-out scenes {@code first .. first + count - 1}, clean ({@code degrade} null) or degraded with a random
     * stream seeded by {@code first}.
     */
    public static Scenes heldOut(long first, int count, RewardConfig config, Degrade degrade) {
        return scenes(first, count, config, degrade, new Random(0xde9a_ade0L ^ first), false);
    }

    private static Scenes scenes(long firstSeed, int count, RewardConfig config, Degrade degrade, Random random, boolean mirror) {
        int size = config.imageSize();
        int plane = size * size;
        int mapSize = config.mapSize();
        long[] shapeMap = new long[count * mapSize * mapSize];
        long[] colourMap = new long[count * mapSize * mapSize];
        float[] images = new float[count * 3 * plane];
        float[] pairs = new float[count * SceneAttributes.PAIRS];
        long[] counts = new long[count];
        long[] kinds = new long[count];
        long[] colours = new long[count];
        List<SceneSpec> specs = new ArrayList<>(count);
        float[] image = new float[3 * plane];
        for (int b = 0; b < count; b++) {
            RenderedScene scene = ShapesWorld.render(firstSeed + b, size);
            boolean flip = mirror && random.nextBoolean();
            byte[] rgb = scene.rgb();
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int src = 3 * (y * size + (flip ? size - 1 - x : x)); // interleaved [S,S,3] -> planar [3,S,S]
                    int dst = y * size + x;
                    image[dst] = (rgb[src] & 0xff) / 255f;
                    image[plane + dst] = (rgb[src + 1] & 0xff) / 255f;
                    image[2 * plane + dst] = (rgb[src + 2] & 0xff) / 255f;
                }
            }
            if (degrade != null) degrade.apply(image, size, random);
            System.arraycopy(image, 0, images, b * 3 * plane, 3 * plane);
            SceneAttributes.Targets t = SceneAttributes.of(scene.spec());
            System.arraycopy(t.pairs(), 0, pairs, b * SceneAttributes.PAIRS, SceneAttributes.PAIRS);
            counts[b] = t.countClass();
            kinds[b] = t.kind();
            colours[b] = t.backgroundColour();
            cells(scene, flip, mapSize, shapeMap, colourMap, b * mapSize * mapSize);
            specs.add(scene.spec());
        }
        return new Scenes(size, images, pairs, counts, kinds, colours, mapSize, shapeMap, colourMap, List.copyOf(specs));
    }

    /** Per cell of an m x m grid, the shape and colour of the object covering most of its pixels (or the background). */
    static void cells(RenderedScene scene, boolean flip, int mapSize, long[] shapes, long[] colours, int offset) {
        int size = scene.size();
        int cell = size / mapSize;
        List<SceneObject> objects = scene.spec().objects();
        int[] votes = new int[objects.size() + 1];
        for (int cy = 0; cy < mapSize; cy++) {
            for (int cx = 0; cx < mapSize; cx++) {
                java.util.Arrays.fill(votes, 0);
                for (int y = cy * cell; y < (cy + 1) * cell; y++) {
                    for (int x = cx * cell; x < (cx + 1) * cell; x++) votes[scene.instanceAt(flip ? size - 1 - x : x, y)]++;
                }
                int best = 0;
                for (int i = 1; i < votes.length; i++) if (votes[i] > votes[best]) best = i;
                SceneObject o = best == 0 ? null : objects.get(best - 1);
                shapes[offset + cy * mapSize + cx] = o == null ? BACKGROUND_CELL : SceneAttributes.SHAPES.indexOf(o.shape());
                colours[offset + cy * mapSize + cx] = o == null ? BACKGROUND_CELL : SceneAttributes.OBJECT_COLOURS.indexOf(o.colour());
            }
        }
    }
}
