package dev.loupe.app.frontier;

import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;

/** {@link Raster}s as JavaFX images, enlarged with nearest-neighbour pixels. */
public final class FxRasters {
    private FxRasters() {}

    public static WritableImage toImage(Raster raster, int scale) {
        Raster r = raster.scaled(scale);
        WritableImage image = new WritableImage(r.width(), r.height());
        image.getPixelWriter().setPixels(0, 0, r.width(), r.height(), PixelFormat.getIntArgbInstance(), r.argb(), 0, r.width());
        return image;
    }
}
