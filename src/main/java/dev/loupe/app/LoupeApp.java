package dev.loupe.app;

import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;

/** The workbench application. */
public final class LoupeApp extends Application {
    public static void open(String[] args) {
        Application.launch(LoupeApp.class, args);
    }

    @Override
    public void start(Stage stage) {
        stage.setTitle("Loupe");
        stage.setScene(new Scene(new Label("Loupe"), 800, 600));
        stage.show();
    }
}
