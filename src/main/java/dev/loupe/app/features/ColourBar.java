package dev.loupe.app.features;

import dev.loupe.features.ColourMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.Background;
import javafx.scene.layout.BackgroundFill;
import javafx.scene.layout.CornerRadii;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.paint.CycleMethod;
import javafx.scene.paint.LinearGradient;
import javafx.scene.paint.Stop;

/** A horizontal colour-bar legend: a colour map's gradient with its low, middle and high values under it. */
public final class ColourBar extends VBox {
    private final Region bar = new Region();
    private final Label low = new Label();
    private final Label mid = new Label();
    private final Label high = new Label();

    public ColourBar(ColourMap colours) {
        getStyleClass().add("colour-bar");
        setSpacing(3);
        List<Stop> stops = new ArrayList<>();
        for (int i = 0; i <= 10; i++) {
            int rgb = colours.rgb(i / 10.0);
            stops.add(new Stop(i / 10.0, Color.rgb((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff)));
        }
        LinearGradient gradient = new LinearGradient(0, 0, 1, 0, true, CycleMethod.NO_CYCLE, stops);
        bar.setBackground(new Background(new BackgroundFill(gradient, new CornerRadii(3), Insets.EMPTY)));
        bar.setPrefHeight(14);
        bar.setMinHeight(14);
        bar.getStyleClass().add("colour-bar-gradient");
        Region left = new Region();
        Region right = new Region();
        HBox.setHgrow(left, Priority.ALWAYS);
        HBox.setHgrow(right, Priority.ALWAYS);
        HBox ticks = new HBox(low, left, mid, right, high);
        ticks.setAlignment(Pos.CENTER);
        for (Label l : List.of(low, mid, high)) l.getStyleClass().add("colour-bar-tick");
        getChildren().addAll(bar, ticks);
        setMinWidth(80);
    }

    public void setRange(double lowValue, double highValue) {
        low.setText(format(lowValue));
        mid.setText(format((lowValue + highValue) / 2));
        high.setText(format(highValue));
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
