package dev.loupe.world;

import java.util.ArrayList;
import java.util.List;

/**
 * Draws a scene from a seed: background, then 1 to 4 objects placed one after another. A placement is kept only
 * if every object drawn so far keeps at least half of itself (and 1/64 of the image) visible, and if every object
 * contrasts with the background and with any object whose bounding circle it touches; otherwise it is drawn
 * again. All numbers are rounded (positions and sizes to 0.001, angles to 0.1 degree), so that a description
 * written to JSON reads back to the same scene.
 */
public final class SceneSampler {
    public static final int MAX_OBJECTS = 4;
    /** Smallest bounding-circle diameter, as a fraction of the image side: about 10 pixels at 32 x 32. */
    public static final double MIN_OBJECT_SIZE = 0.3;
    /** Largest diameter for 1, 2, 3 and 4 objects: fewer objects may be larger. */
    private static final double[] MAX_OBJECT_SIZE = {0.65, 0.55, 0.5, 0.45};
    /** Share of an object's own pixels that must stay uncovered by the objects drawn after it. */
    public static final double MIN_VISIBLE_FRACTION = 0.5;
    /** Smallest visible part of an object, as a share of the image: 16 pixels at 32 x 32. */
    public static final double MIN_VISIBLE_AREA = 1.0 / 64;
    /** Gap kept between an object's bounding circle and the image border. */
    private static final double MARGIN = 0.02;
    private static final double MIN_STRIPE_PERIOD = 0.12;
    private static final double MAX_STRIPE_PERIOD = 0.25;
    /** Resolution at which visibility is judged (the same for every output size, so the scene never depends on it). */
    private static final int CHECK_SIZE = 64;
    private static final int TRIES_PER_OBJECT = 40;

    private SceneSampler() {}

    public static SceneSpec sample(long seed) {
        WorldRandom random = new WorldRandom(seed);
        while (true) { // a scene that gets stuck restarts from the state the random stream has reached
            SceneSpec scene = trySample(seed, random);
            if (scene != null) return scene;
        }
    }

    private static SceneSpec trySample(long seed, WorldRandom random) {
        Background background = sampleBackground(random);
        int count = 1 + random.nextInt(MAX_OBJECTS);
        List<SceneObject> objects = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            SceneObject placed = null;
            for (int attempt = 0; attempt < TRIES_PER_OBJECT && placed == null; attempt++) {
                SceneObject candidate = sampleObject(random, background, objects, MAX_OBJECT_SIZE[count - 1]);
                if (candidate != null && keepsEveryObjectVisible(seed, background, objects, candidate)) placed = candidate;
            }
            if (placed == null) return null;
            objects.add(placed);
        }
        return new SceneSpec(seed, background, objects);
    }

    private static Background sampleBackground(WorldRandom random) {
        BackgroundKind kind = BackgroundKind.values()[random.nextInt(BackgroundKind.values().length)];
        NamedColour colour = NamedColour.BACKGROUND_COLOURS.get(random.nextInt(NamedColour.BACKGROUND_COLOURS.size()));
        return switch (kind) {
            case PLAIN -> Background.plain(colour);
            case GRADIENT -> new Background(kind, colour, round(random.uniform(0, 360), 10), 0);
            case STRIPED -> new Background(kind, colour, round(random.uniform(0, 180), 10),
                    round(random.uniform(MIN_STRIPE_PERIOD, MAX_STRIPE_PERIOD), 1000));
        };
    }

    /** A candidate object, or null when no colour contrasts with both the background and its neighbours. */
    private static SceneObject sampleObject(WorldRandom random, Background background, List<SceneObject> placed,
                                            double maxSize) {
        ShapeKind shape = ShapeKind.ALL.get(random.nextInt(ShapeKind.ALL.size()));
        double size = round(random.uniform(MIN_OBJECT_SIZE, maxSize), 1000);
        double lo = size / 2 + MARGIN;
        double x = round(random.uniform(lo, 1 - lo), 1000);
        double y = round(random.uniform(lo, 1 - lo), 1000);
        double maxTurn = shape.maxRotationDegrees();
        double rotation = maxTurn == 0 ? 0 : round(random.uniform(-maxTurn, maxTurn), 10);
        List<NamedColour> allowed = new ArrayList<>();
        for (NamedColour c : NamedColour.OBJECT_COLOURS) {
            if (Palette.standsOut(c, background) && distinctFromNeighbours(c, x, y, size, placed)) allowed.add(c);
        }
        if (allowed.isEmpty()) return null;
        NamedColour colour = allowed.get(random.nextInt(allowed.size()));
        return new SceneObject(shape, colour, x, y, size, rotation);
    }

    private static boolean distinctFromNeighbours(NamedColour colour, double x, double y, double size,
                                                  List<SceneObject> placed) {
        for (SceneObject o : placed) {
            double reach = (size + o.size()) / 2;
            double dx = x - o.x();
            double dy = y - o.y();
            if (dx * dx + dy * dy < reach * reach && !Palette.distinct(colour, o.colour())) return false;
        }
        return true;
    }

    private static boolean keepsEveryObjectVisible(long seed, Background background, List<SceneObject> placed,
                                                   SceneObject candidate) {
        List<SceneObject> all = new ArrayList<>(placed);
        all.add(candidate);
        RenderedScene masks = Rasteriser.masks(new SceneSpec(seed, background, all), CHECK_SIZE);
        for (int i = 0; i < all.size(); i++) {
            int own = masks.objectPixels()[i];
            int visible = masks.visiblePixels()[i];
            if (visible < MIN_VISIBLE_FRACTION * own || visible < MIN_VISIBLE_AREA * CHECK_SIZE * CHECK_SIZE) return false;
        }
        return true;
    }

    private static double round(double value, double steps) {
        return Math.round(value * steps) / steps;
    }
}
