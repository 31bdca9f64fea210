package dev.loupe.app;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import java.util.prefs.Preferences;
import javafx.application.Application;
import javafx.scene.Scene;

/** Light and dark themes: AtlantaFX's Primer pair for the controls, Loupe's own sheet for its views. */
public final class Themes {
    public enum Theme { LIGHT, DARK }

    private static final String KEY = "theme";
    private static final String LOUPE_CSS = "/assets/css/loupe.css";

    private Themes() {}

    /** The theme last chosen, or the one {@code -Dloupe.theme=light|dark} asks for. */
    public static Theme saved() {
        String forced = System.getProperty("loupe.theme");
        if (forced != null) return forced.equalsIgnoreCase("dark") ? Theme.DARK : Theme.LIGHT;
        try {
            return Theme.valueOf(prefs().get(KEY, Theme.LIGHT.name()));
        } catch (IllegalArgumentException e) {
            return Theme.LIGHT;
        }
    }

    public static void apply(Scene scene, Theme theme) {
        Application.setUserAgentStylesheet(theme == Theme.DARK
                ? new PrimerDark().getUserAgentStylesheet()
                : new PrimerLight().getUserAgentStylesheet());
        String sheet = Themes.class.getResource(LOUPE_CSS).toExternalForm();
        scene.getStylesheets().remove(sheet);
        scene.getStylesheets().add(sheet);
        scene.getRoot().getStyleClass().removeAll("theme-light", "theme-dark");
        scene.getRoot().getStyleClass().add(theme == Theme.DARK ? "theme-dark" : "theme-light");
        if (!Boolean.getBoolean("loupe.ephemeral")) prefs().put(KEY, theme.name());
    }

    private static Preferences prefs() {
        return Preferences.userNodeForPackage(Themes.class);
    }
}
