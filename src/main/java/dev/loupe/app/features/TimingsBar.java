package dev.loupe.app.features;

import java.util.Locale;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;

/**
 * How long each stage of the features on show took, as small chips: decode, resize, backbone, each upsampler, PCA,
 * and the time from opening the image to its features. Stages reused from an earlier computation (only an
 * upsampler ran) are marked.
 */
public final class TimingsBar extends HBox {
    public TimingsBar() {
        super(6);
        getStyleClass().add("timings");
        setId("timings");
        setAlignment(Pos.CENTER_RIGHT);
        setMinWidth(USE_PREF_SIZE);
    }

    public void show(FeatureSource source, Snapshot snap, double readyMillis) {
        getChildren().clear();
        if (source == null) return;
        getChildren().add(chip("decode", source.decodeMillis(), false, "Reading and decoding the file"));
        if (snap == null) return;
        String reused = snap.backboneReused() ? "reused: only the upsampler ran for this view" : null;
        getChildren().add(chip("resize", snap.millis("resize"), snap.backboneReused(), reused));
        getChildren().add(chip("backbone", snap.millis("backbone"), snap.backboneReused(), reused));
        for (Snapshot.Layer l : snap.upsampled()) {
            getChildren().add(chip(FeaturesViewModel.label(l.spec()), l.millis(), l.reused(), "upsampling to " + snap.inputWidth() + " × "
                    + snap.inputHeight() + " px" + (l.reused() ? " (computed earlier, reused)" : "")));
        }
        getChildren().add(chip("PCA", snap.millis("pca"), snap.backboneReused(), reused));
        if (!Double.isNaN(readyMillis)) {
            Label total = new Label(String.format(Locale.ROOT, "ready in %.1f s", readyMillis / 1000));
            total.getStyleClass().add("timing-total");
            total.setMinWidth(USE_PREF_SIZE);
            total.setTooltip(new Tooltip("From opening the image (or from the models being ready) to its features on show"));
            getChildren().add(total);
        }
    }

    private static Label chip(String name, double ms, boolean reused, String tip) {
        Label l = new Label(name + " " + millis(ms));
        l.getStyleClass().add("timing");
        l.setMinWidth(USE_PREF_SIZE);
        if (reused) l.getStyleClass().add("timing-reused");
        if (tip != null) l.setTooltip(new Tooltip(tip));
        return l;
    }

    /** "0.8 ms", "42 ms", "12.3 s". */
    static String millis(double ms) {
        if (Double.isNaN(ms)) return "–";
        if (ms >= 10_000) return String.format(Locale.ROOT, "%.1f s", ms / 1000);
        if (ms >= 10) return String.format(Locale.ROOT, "%.0f ms", ms);
        return String.format(Locale.ROOT, "%.1f ms", ms);
    }
}
