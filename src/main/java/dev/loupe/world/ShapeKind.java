package dev.loupe.world;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The kinds of object. Each kind is one class of the per-pixel class mask: {@link #classId()} is 1 + its
 * position here, 0 is the background. The order is part of the data format (masks on disk, trained probes):
 * append new kinds, never reorder.
 */
public enum ShapeKind {
    CIRCLE(0),
    SQUARE(20),
    TRIANGLE(60),
    STAR(36),
    HEXAGON(30),
    CROSS(20),
    DIAMOND(15),
    RING(0);

    /** Class id of the background in class masks. */
    public static final int BACKGROUND_CLASS = 0;
    /** Number of classes in a class mask, background included. */
    public static final int CLASS_COUNT = values().length + 1;
    public static final List<ShapeKind> ALL = List.of(values());

    private final double maxRotationDegrees;

    ShapeKind(double maxRotationDegrees) {
        this.maxRotationDegrees = maxRotationDegrees;
    }

    public int classId() {
        return ordinal() + 1;
    }

    /** The caption word: "circle", "star" ... */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Rotations are drawn from [-max, max]. Half a symmetry period for the regular shapes (every pose is
     * reachable); small for the square, cross and diamond, whose turned forms would read as other shapes
     * (a square turned 45 degrees is a diamond, a turned cross an X); none for the round ones.
     */
    public double maxRotationDegrees() {
        return maxRotationDegrees;
    }

    /** Class names indexed by class id: "background", "circle", ... */
    public static List<String> classNames() {
        List<String> names = new ArrayList<>();
        names.add("background");
        for (ShapeKind k : values()) names.add(k.word());
        return List.copyOf(names);
    }

    public static ShapeKind fromClassId(int classId) {
        if (classId < 1 || classId > values().length) {
            throw new IllegalArgumentException("no shape has class id " + classId);
        }
        return values()[classId - 1];
    }

    /** The kind a caption word names, or null. */
    public static ShapeKind fromWord(String word) {
        for (ShapeKind k : values()) if (k.word().equals(word)) return k;
        return null;
    }
}
