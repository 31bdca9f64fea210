package dev.loupe.world;

import java.util.ArrayList;
import java.util.List;

/**
 * ShapesWorld, the procedural domain every sample model learns from: a seed gives a scene of 1 to 4 coloured
 * shapes on a plain, gradient or striped background, which renders at any size from 32 to 1024 pixels with its
 * class mask, instance mask and caption. The same seed gives the same scene, bit for bit, on every JVM.
 *
 * <p>Tensors for training: {@link WorldBatch}. Files: {@link ScenePngs} and {@link SceneJson}.
 */
public final class ShapesWorld {
    /**
     * Version of the generator. Anything that changes which scene a seed gives, or how it renders, bumps it: the
     * sample models record the version they were trained on.
     */
    public static final int VERSION = 1;

    private ShapesWorld() {}

    /** The scene of {@code seed}. */
    public static SceneSpec scene(long seed) {
        return SceneSampler.sample(seed);
    }

    /** The scene of {@code seed}, rendered at {@code size} x {@code size}. */
    public static RenderedScene render(long seed, int size) {
        return Rasteriser.render(scene(seed), size);
    }

    /** One scene at several sizes (e.g. S, 2S, 4S for multi-scale training), in the order given. */
    public static List<RenderedScene> render(SceneSpec scene, int... sizes) {
        List<RenderedScene> out = new ArrayList<>(sizes.length);
        for (int size : sizes) out.add(Rasteriser.render(scene, size));
        return out;
    }

    /** The scenes of seeds {@code firstSeed .. firstSeed + count - 1}. */
    public static List<SceneSpec> scenes(long firstSeed, int count) {
        List<SceneSpec> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(scene(firstSeed + i));
        return out;
    }
}
