package dev.loupe.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ShapeGeometryTest {
    private static final double SQRT3 = Math.sqrt(3);

    @Test
    void areasMatchTheirFormulas() {
        double h = ShapeGeometry.SQUARE_HALF_SIDE;
        double hex = ShapeGeometry.HEXAGON_RADIUS;
        double arm = ShapeGeometry.CROSS_HALF_LENGTH;
        double width = ShapeGeometry.CROSS_HALF_WIDTH;
        Map<ShapeKind, Double> expected = Map.of(
                ShapeKind.CIRCLE, Math.PI * sq(ShapeGeometry.CIRCLE_RADIUS),
                ShapeKind.SQUARE, sq(2 * h),
                ShapeKind.TRIANGLE, 3 * SQRT3 / 4,
                // ten triangles between the centre, a tip (radius 1) and an inner corner, pi/5 apart
                ShapeKind.STAR, 5 * ShapeGeometry.STAR_INNER_RADIUS * Math.sin(Math.PI / 5),
                ShapeKind.HEXAGON, 3 * SQRT3 / 2 * sq(hex),
                ShapeKind.CROSS, 2 * (2 * arm) * (2 * width) - sq(2 * width),
                ShapeKind.DIAMOND, 2 * ShapeGeometry.DIAMOND_HALF_WIDTH,
                ShapeKind.RING, Math.PI * (sq(ShapeGeometry.RING_OUTER) - sq(ShapeGeometry.RING_INNER)));
        int n = 1000;
        for (ShapeKind kind : ShapeKind.values()) {
            int inside = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (ShapeGeometry.signedDistance(kind, -1 + (i + 0.5) * 2 / n, -1 + (j + 0.5) * 2 / n) < 0) inside++;
                }
            }
            double area = inside * 4.0 / n / n;
            assertEquals(expected.get(kind), area, 0.005 * expected.get(kind), kind.toString());
        }
    }

    @Property(tries = 200)
    void everyShapeFitsTheUnitCircle(@ForAll @IntRange(max = 3599) int tenthsOfADegree) {
        double angle = Math.toRadians(tenthsOfADegree / 10.0);
        for (ShapeKind kind : ShapeKind.values()) {
            assertTrue(ShapeGeometry.signedDistance(kind, 1.0001 * Math.cos(angle), 1.0001 * Math.sin(angle)) > 0, kind.toString());
        }
    }

    /** The symmetry-folded distances equal the brute-force distance to every edge of the outline, with its sign. */
    @Test
    void polygonDistancesAreExact() {
        Map<ShapeKind, double[][]> outlines = Map.of(
                ShapeKind.STAR, regular(10, 1, ShapeGeometry.STAR_INNER_RADIUS),
                ShapeKind.TRIANGLE, regular(3, 1, 1),
                ShapeKind.HEXAGON, regular(6, ShapeGeometry.HEXAGON_RADIUS, ShapeGeometry.HEXAGON_RADIUS),
                ShapeKind.SQUARE, square(ShapeGeometry.SQUARE_HALF_SIDE),
                ShapeKind.DIAMOND, new double[][] {{0, -1}, {ShapeGeometry.DIAMOND_HALF_WIDTH, 0}, {0, 1},
                    {-ShapeGeometry.DIAMOND_HALF_WIDTH, 0}});
        SplittableRandom random = new SplittableRandom(1);
        for (var e : outlines.entrySet()) {
            for (int i = 0; i < 20_000; i++) {
                double x = random.nextDouble(-1.2, 1.2);
                double y = random.nextDouble(-1.2, 1.2);
                double expected = (insidePolygon(e.getValue(), x, y) ? -1 : 1) * distanceToOutline(e.getValue(), x, y);
                assertEquals(expected, ShapeGeometry.signedDistance(e.getKey(), x, y), 1e-9, e.getKey() + " at " + x + "," + y);
            }
        }
    }

    @Test
    void rotationTurnsClockwiseAboutTheCentre() {
        // A triangle's tip points up; turned 90 degrees clockwise (y grows downward) it points right.
        ShapeGeometry.Placed up = new ShapeGeometry.Placed(new SceneObject(ShapeKind.TRIANGLE, NamedColour.RED, 0.5, 0.5, 0.4, 0));
        ShapeGeometry.Placed right = new ShapeGeometry.Placed(new SceneObject(ShapeKind.TRIANGLE, NamedColour.RED, 0.5, 0.5, 0.4, 90));
        assertTrue(up.contains(0.5, 0.31) && !up.contains(0.69, 0.5));
        assertTrue(right.contains(0.69, 0.5) && !right.contains(0.5, 0.31));
    }

    private static double[][] regular(int corners, double outer, double inner) {
        double[][] p = new double[corners][];
        for (int k = 0; k < corners; k++) {
            double a = 2 * Math.PI * k / corners;
            double r = k % 2 == 0 ? outer : inner;
            p[k] = new double[] {r * Math.sin(a), -r * Math.cos(a)};
        }
        return p;
    }

    private static double[][] square(double h) {
        return new double[][] {{-h, -h}, {h, -h}, {h, h}, {-h, h}};
    }

    private static boolean insidePolygon(double[][] p, double x, double y) {
        boolean inside = false;
        for (int i = 0, j = p.length - 1; i < p.length; j = i++) {
            if ((p[i][1] > y) != (p[j][1] > y) && x < (p[j][0] - p[i][0]) * (y - p[i][1]) / (p[j][1] - p[i][1]) + p[i][0]) {
                inside = !inside;
            }
        }
        return inside;
    }

    private static double distanceToOutline(double[][] p, double x, double y) {
        double best = Double.MAX_VALUE;
        for (int i = 0, j = p.length - 1; i < p.length; j = i++) {
            double ex = p[i][0] - p[j][0];
            double ey = p[i][1] - p[j][1];
            double t = Math.max(0, Math.min(1, ((x - p[j][0]) * ex + (y - p[j][1]) * ey) / (ex * ex + ey * ey)));
            best = Math.min(best, Math.hypot(x - p[j][0] - t * ex, y - p[j][1] - t * ey));
        }
        return best;
    }

    private static double sq(double v) {
        return v * v;
    }
}
