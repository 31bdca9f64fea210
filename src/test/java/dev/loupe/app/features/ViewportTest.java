package dev.loupe.app.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import javafx.geometry.Point2D;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

class ViewportTest {
    private static Viewport viewport(double iw, double ih, double vw, double vh) {
        Viewport v = new Viewport();
        v.setViewSize(vw, vh);
        v.setImageSize(iw, ih);
        return v;
    }

    @Test
    void fitCentresTheImageAndFollowsThePanelSize() {
        Viewport v = viewport(400, 200, 300, 300);
        assertEquals(Viewport.FIT_MARGIN * 300 / 400, v.scale().get(), 1e-12);
        assertEquals(150, v.screenX(200, 300), 1e-9, "image centre at the panel centre");
        assertEquals(150, v.screenY(100, 300), 1e-9);
        v.setViewSize(800, 300);
        assertEquals(Viewport.FIT_MARGIN * 300 / 200, v.scale().get(), 1e-12, "height limits now");
        assertTrue(v.fitted().get());
    }

    @Property(tries = 200)
    void zoomKeepsThePointUnderThePointer(@ForAll @DoubleRange(min = 0, max = 300) double sx, @ForAll @DoubleRange(min = 0, max = 200) double sy,
                                          @ForAll @DoubleRange(min = 0.5, max = 3) double factor) {
        Viewport v = viewport(448, 448, 300, 200);
        v.zoomBy(2, 150, 100, 300, 200); // somewhere inside first, so clamping does not interfere
        Point2D before = v.toImage(sx, sy, 300, 200);
        long revision = v.revision().get();
        v.zoomBy(factor, sx, sy, 300, 200);
        Point2D after = v.toImage(sx, sy, 300, 200);
        boolean clamped = v.centerX() == 0 || v.centerX() == 448 || v.centerY() == 0 || v.centerY() == 448
                || v.scale().get() == Viewport.MAX_SCALE || v.scale().get() == v.minScale();
        if (!clamped) {
            assertEquals(before.getX(), after.getX(), 1e-6);
            assertEquals(before.getY(), after.getY(), 1e-6);
        }
        assertTrue(v.revision().get() > revision);
        assertFalse(v.fitted().get());
    }

    @Test
    void panMovesThePictureWithThePointerAndKeepsTheImageInView() {
        Viewport v = viewport(100, 100, 200, 200);
        v.actualSize();
        assertEquals(1, v.scale().get(), 1e-12);
        double x = v.screenX(10, 200);
        v.panBy(15, -5);
        assertEquals(x + 15, v.screenX(10, 200), 1e-9);
        v.panBy(1e6, 1e6);
        assertEquals(0, v.centerX(), 1e-9, "the centre stays on the image");
        assertEquals(0, v.centerY(), 1e-9);
        v.fit();
        assertEquals(50, v.centerX(), 1e-9);
        assertTrue(v.fitted().get());
    }

    @Test
    void zoomIsBounded() {
        Viewport v = viewport(100, 100, 200, 200);
        for (int i = 0; i < 100; i++) v.zoomBy(2);
        assertEquals(Viewport.MAX_SCALE, v.scale().get(), 1e-12);
        for (int i = 0; i < 100; i++) v.zoomBy(0.5);
        assertEquals(v.minScale(), v.scale().get(), 1e-12);
    }
}
