package dev.loupe.world;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.tensor.Images;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Scenes as training tensors. The arrays live in a manager of their own (a child of the one passed in); closing
 * the batch frees them.
 *
 * <ul>
 *   <li>{@code images}: float32 [B, 3, S, S], RGB in [0, 1] (the 8-bit image divided by 255, exactly what
 *       reading the PNG gives);
 *   <li>{@code classMasks}: int64 [B, S, S], 0 background, 1..8 one class per {@link ShapeKind};
 *   <li>{@code instanceMasks}: int64 [B, S, S], 0 background, 1..n objects in drawing order;
 *   <li>{@code captions} and {@code scenes}: one per image.
 * </ul>
 */
public final class WorldBatch implements AutoCloseable {
    private final NDManager manager;
    private final NDArray images;
    private final NDArray classMasks;
    private final NDArray instanceMasks;
    private final List<String> captions;
    private final List<SceneSpec> scenes;

    private WorldBatch(NDManager manager, NDArray images, NDArray classMasks, NDArray instanceMasks,
                       List<String> captions, List<SceneSpec> scenes) {
        this.manager = manager;
        this.images = images;
        this.classMasks = classMasks;
        this.instanceMasks = instanceMasks;
        this.captions = captions;
        this.scenes = scenes;
    }

    /** The scenes of seeds {@code firstSeed .. firstSeed + count - 1} at {@code size} x {@code size}. */
    public static WorldBatch render(NDManager manager, long firstSeed, int count, int size) {
        return of(manager, renderAll(ShapesWorld.scenes(firstSeed, count), size));
    }

    /** The same scenes at several sizes (e.g. S, 2S, 4S): one batch per size, in the order given. */
    public static List<WorldBatch> atSizes(NDManager manager, long firstSeed, int count, int... sizes) {
        List<SceneSpec> specs = ShapesWorld.scenes(firstSeed, count);
        List<WorldBatch> out = new ArrayList<>(sizes.length);
        for (int size : sizes) out.add(of(manager, renderAll(specs, size)));
        return out;
    }

    /**
     * Batches of {@code batchSize} over seeds {@code firstSeed} (inclusive) to {@code endSeed} (exclusive), rendered
     * as they are asked for; the last batch may be smaller. Close each batch when done with it.
     */
    public static Iterable<WorldBatch> range(NDManager manager, long firstSeed, long endSeed, int batchSize, int size) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        if (endSeed < firstSeed) throw new IllegalArgumentException("seed range " + firstSeed + ".." + endSeed + " is reversed");
        return () -> new Iterator<>() {
            private long seed = firstSeed;

            @Override
            public boolean hasNext() {
                return seed < endSeed;
            }

            @Override
            public WorldBatch next() {
                if (!hasNext()) throw new NoSuchElementException();
                int count = (int) Math.min(batchSize, endSeed - seed);
                WorldBatch batch = render(manager, seed, count, size);
                seed += count;
                return batch;
            }
        };
    }

    /** Rendered scenes (all of one size) as a batch. */
    public static WorldBatch of(NDManager manager, List<RenderedScene> scenes) {
        if (scenes.isEmpty()) throw new IllegalArgumentException("a batch needs at least one scene");
        int size = scenes.get(0).size();
        int pixels = size * size;
        float[] images = new float[scenes.size() * 3 * pixels];
        long[] classes = new long[scenes.size() * pixels];
        long[] instances = new long[scenes.size() * pixels];
        List<String> captions = new ArrayList<>(scenes.size());
        List<SceneSpec> specs = new ArrayList<>(scenes.size());
        for (int b = 0; b < scenes.size(); b++) {
            RenderedScene scene = scenes.get(b);
            if (scene.size() != size) {
                throw new IllegalArgumentException("scenes of one batch share a size: " + scene.size() + " != " + size);
            }
            byte[] rgb = scene.rgb();
            byte[] classMask = scene.classMask();
            byte[] instanceMask = scene.instanceMask();
            Images.planarRgb(rgb, images, b * 3 * pixels);
            int maskBase = b * pixels;
            for (int p = 0; p < pixels; p++) {
                classes[maskBase + p] = classMask[p];
                instances[maskBase + p] = instanceMask[p];
            }
            captions.add(scene.caption());
            specs.add(scene.spec());
        }
        NDManager own = manager.newSubManager();
        int n = scenes.size();
        return new WorldBatch(own,
                own.create(images, new Shape(n, 3, size, size)),
                own.create(classes, new Shape(n, size, size)),
                own.create(instances, new Shape(n, size, size)),
                List.copyOf(captions), List.copyOf(specs));
    }

    private static List<RenderedScene> renderAll(List<SceneSpec> specs, int size) {
        List<RenderedScene> out = new ArrayList<>(specs.size());
        for (SceneSpec spec : specs) out.add(Rasteriser.render(spec, size));
        return out;
    }

    /** float32 [B, 3, S, S] in [0, 1]. */
    public NDArray images() {
        return images;
    }

    /** int64 [B, S, S]: 0 background, else {@link ShapeKind#classId()}. */
    public NDArray classMasks() {
        return classMasks;
    }

    /** int64 [B, S, S]: 0 background, else 1 + the object's index in its scene's drawing order. */
    public NDArray instanceMasks() {
        return instanceMasks;
    }

    public List<String> captions() {
        return captions;
    }

    public List<SceneSpec> scenes() {
        return scenes;
    }

    /** Number of scenes. */
    public int size() {
        return scenes.size();
    }

    /** The manager that owns this batch's arrays. */
    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }
}
