package dev.loupe.app;

import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.javafx.FontIcon;

/** The centred "nothing here yet" panel of a workspace: an icon, a title, what will appear, and actions. */
public final class EmptyState extends VBox {
    public EmptyState(Ikon icon, String title, String explanation, Node... actions) {
        getStyleClass().add("empty-state");
        setAlignment(Pos.CENTER);
        setSpacing(12);
        FontIcon glyph = new FontIcon(icon);
        glyph.getStyleClass().add("empty-state-icon");
        Label heading = new Label(title);
        heading.getStyleClass().add("empty-state-title");
        Label text = new Label(explanation);
        text.getStyleClass().add("empty-state-text");
        text.setWrapText(true);
        text.setMaxWidth(560);
        HBox buttons = new HBox(8, actions);
        buttons.setAlignment(Pos.CENTER);
        getChildren().addAll(glyph, heading, text, buttons);
    }
}
