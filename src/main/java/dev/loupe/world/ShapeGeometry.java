package dev.loupe.world;

/**
 * Signed distance functions of the shape kinds: negative inside, positive outside, zero on the outline. Shapes
 * are defined in a unit frame (x right, y down, centre at the origin) and all fit in the unit circle, so an
 * object of size {@code s} never leaves the circle of diameter {@code s} around its centre.
 *
 * <p>Distances rather than inside tests because one evaluation per pixel gives both the mask (inside iff the
 * distance at the pixel centre is negative) and an antialiased edge (coverage from the distance), with only
 * +, -, *, / and sqrt per pixel: exact IEEE operations, so every JVM computes the same bits.
 */
public final class ShapeGeometry {
    static final double CIRCLE_RADIUS = 0.9;
    static final double SQUARE_HALF_SIDE = 0.68;
    static final double HEXAGON_RADIUS = 0.95;
    static final double STAR_INNER_RADIUS = 0.45; // fatter than a pentagram (0.38) so it reads as a star at 32 px
    static final double CROSS_HALF_LENGTH = 0.9;
    static final double CROSS_HALF_WIDTH = 0.3;
    static final double DIAMOND_HALF_WIDTH = 0.6;
    static final double RING_OUTER = 0.9;
    static final double RING_INNER = 0.45;

    private static final RegularStar SQUARE = new RegularStar(4, 45, SQUARE_HALF_SIDE * Math.sqrt(2), SQUARE_HALF_SIDE);
    private static final RegularStar TRIANGLE = RegularStar.polygon(3, 1.0);
    private static final RegularStar STAR = new RegularStar(5, 0, 1.0, STAR_INNER_RADIUS);
    private static final RegularStar HEXAGON = RegularStar.polygon(6, HEXAGON_RADIUS);
    private static final FoldedEdge DIAMOND = new FoldedEdge(0, 1.0, DIAMOND_HALF_WIDTH, 0);

    private ShapeGeometry() {}

    /** Signed distance from {@code (x, y)} in the unit frame to the outline of {@code kind}. */
    public static double signedDistance(ShapeKind kind, double x, double y) {
        return switch (kind) {
            case CIRCLE -> Math.sqrt(x * x + y * y) - CIRCLE_RADIUS;
            case SQUARE -> SQUARE.signedDistance(x, y);
            case TRIANGLE -> TRIANGLE.signedDistance(x, y);
            case STAR -> STAR.signedDistance(x, y);
            case HEXAGON -> HEXAGON.signedDistance(x, y);
            case CROSS -> {
                double ax = Math.abs(x);
                double ay = Math.abs(y);
                yield Math.min(box(ax, ay, CROSS_HALF_LENGTH, CROSS_HALF_WIDTH),
                        box(ax, ay, CROSS_HALF_WIDTH, CROSS_HALF_LENGTH));
            }
            case DIAMOND -> DIAMOND.signedDistance(Math.abs(x), Math.abs(y));
            case RING -> Math.abs(Math.sqrt(x * x + y * y) - (RING_OUTER + RING_INNER) / 2) - (RING_OUTER - RING_INNER) / 2;
        };
    }

    /** Exact signed distance to an axis-aligned box of half sizes (hx, hy), for a point folded into |x|, |y|. */
    private static double box(double ax, double ay, double hx, double hy) {
        double qx = ax - hx;
        double qy = ay - hy;
        double ox = Math.max(qx, 0);
        double oy = Math.max(qy, 0);
        return Math.sqrt(ox * ox + oy * oy) + Math.min(Math.max(qx, qy), 0);
    }

    /** An object placed in the image: maps normalised image coordinates into its unit frame. */
    public static final class Placed {
        private final ShapeKind kind;
        private final double cx;
        private final double cy;
        private final double cos;
        private final double sin;
        private final double scale;
        private final double inverseScale;

        public Placed(SceneObject object) {
            this.kind = object.shape();
            this.cx = object.x();
            this.cy = object.y();
            double radians = StrictMath.toRadians(object.rotationDegrees());
            this.cos = StrictMath.cos(radians);
            this.sin = StrictMath.sin(radians);
            this.scale = object.size() / 2;
            this.inverseScale = 1 / scale;
        }

        /** Signed distance in normalised image units (fractions of the image side). */
        public double signedDistance(double x, double y) {
            double dx = x - cx;
            double dy = y - cy;
            // Turn the point back by the object's rotation to reach the shape's own frame.
            double ux = (cos * dx + sin * dy) * inverseScale;
            double uy = (cos * dy - sin * dx) * inverseScale;
            return ShapeGeometry.signedDistance(kind, ux, uy) * scale;
        }

        public boolean contains(double x, double y) {
            return signedDistance(x, y) < 0;
        }

        /** Radius of the bounding circle, in normalised units. */
        public double radius() {
            return scale;
        }

        public double centreX() {
            return cx;
        }

        public double centreY() {
            return cy;
        }
    }

    /**
     * A shape with n-fold rotational and mirror symmetry whose outline zig-zags between n tips at radius
     * {@code outer} and n inner corners at radius {@code inner}, halfway between the tips: a star, or a regular
     * polygon when the inner corners are the edge midpoints. Any point, turned to its nearest tip and mirrored
     * onto one side, sees a single edge of the outline (tip to inner corner), so its distance to that one edge is
     * the exact distance to the whole outline.
     */
    private static final class RegularStar {
        private final double[] tipX;
        private final double[] tipY;
        private final FoldedEdge edge;

        static RegularStar polygon(int n, double radius) {
            return new RegularStar(n, 0, radius, radius * StrictMath.cos(Math.PI / n));
        }

        /** Tip 0 points up, turned clockwise by {@code phaseDegrees}. */
        RegularStar(int n, double phaseDegrees, double outer, double inner) {
            tipX = new double[n];
            tipY = new double[n];
            for (int k = 0; k < n; k++) {
                double a = StrictMath.toRadians(phaseDegrees) + 2 * Math.PI * k / n;
                tipX[k] = StrictMath.sin(a);
                tipY[k] = -StrictMath.cos(a);
            }
            double half = Math.PI / n;
            edge = new FoldedEdge(0, outer, inner * StrictMath.sin(half), inner * StrictMath.cos(half));
        }

        double signedDistance(double x, double y) {
            int nearest = 0;
            double along = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < tipX.length; k++) {
                double d = x * tipX[k] + y * tipY[k];
                if (d > along) {
                    along = d;
                    nearest = k;
                }
            }
            double across = Math.abs(x * tipY[nearest] - y * tipX[nearest]);
            return edge.signedDistance(across, along);
        }
    }

    /**
     * The one outline edge a point sees after folding by symmetry, from (ax, ay) to (bx, by); the side of the edge
     * that holds the origin is inside.
     */
    private static final class FoldedEdge {
        private final double ax;
        private final double ay;
        private final double ex;
        private final double ey;
        private final double inverseLengthSquared;
        private final double originSide;

        FoldedEdge(double ax, double ay, double bx, double by) {
            this.ax = ax;
            this.ay = ay;
            this.ex = bx - ax;
            this.ey = by - ay;
            this.inverseLengthSquared = 1 / (ex * ex + ey * ey);
            this.originSide = Math.signum(ex * -ay - ey * -ax);
        }

        double signedDistance(double px, double py) {
            double wx = px - ax;
            double wy = py - ay;
            double t = Math.min(1, Math.max(0, (wx * ex + wy * ey) * inverseLengthSquared));
            double dx = wx - ex * t;
            double dy = wy - ey * t;
            double distance = Math.sqrt(dx * dx + dy * dy);
            double side = ex * wy - ey * wx;
            return side * originSide > 0 ? -distance : distance;
        }
    }
}
