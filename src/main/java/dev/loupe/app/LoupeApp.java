package dev.loupe.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import javafx.application.Application;
import javafx.fxml.FXMLLoader;
import javafx.geometry.Rectangle2D;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.stage.Screen;
import javafx.stage.Stage;

/** The workbench application: one window with the Features, Frontier and Models workspaces. */
public final class LoupeApp extends Application {
    /** The workspaces, as the command line names them. */
    public enum WorkspaceName { features, frontier, models }

    /** What the window shows first: a workspace (null: the default) and files to open. */
    public record Startup(WorkspaceName workspace, java.util.List<java.nio.file.Path> files) {
        static final Startup PLAIN = new Startup(null, java.util.List.of());
    }

    private static volatile Startup startup = Startup.PLAIN;
    private Workbench workbench;

    public static void open(String[] args) {
        Application.launch(LoupeApp.class, args);
    }

    public static void open(Startup first) {
        startup = first;
        Application.launch(LoupeApp.class);
    }

    @Override
    public void start(Stage stage) {
        workbench = new Workbench();
        show(stage, workbench).startWith(startup);
    }

    @Override
    public void stop() {
        if (workbench != null) workbench.close();
    }

    /** Builds the main window into {@code stage} and shows it; tests call this too. */
    public static MainWindowController show(Stage stage, Workbench workbench) {
        FXMLLoader loader = loader("MainWindow.fxml", workbench);
        Parent root;
        try {
            root = loader.load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the main window", e);
        }
        Rectangle2D screen = Screen.getPrimary().getVisualBounds();
        Scene scene = new Scene(root, Math.min(1360, screen.getWidth()), Math.min(860, screen.getHeight()));
        Themes.apply(scene, Themes.saved());
        stage.setScene(scene);
        stage.setTitle("Loupe");
        stage.setMinWidth(960);
        stage.setMinHeight(640);
        addIcons(stage);
        workbench.setWindow(stage);
        MainWindowController controller = loader.getController();
        stage.show();
        controller.started();
        return controller;
    }

    /** An FXML loader whose controllers get the shared {@link Workbench} through their constructor. */
    public static FXMLLoader loader(String view, Workbench workbench) {
        URL url = LoupeApp.class.getResource("/fxml/" + view);
        if (url == null) throw new IllegalStateException("missing view " + view);
        FXMLLoader loader = new FXMLLoader(url);
        loader.setControllerFactory(type -> {
            try {
                return type.getConstructor(Workbench.class).newInstance(workbench);
            } catch (NoSuchMethodException e) {
                try {
                    return type.getConstructor().newInstance();
                } catch (ReflectiveOperationException e2) {
                    throw new IllegalStateException("cannot create controller " + type.getName(), e2);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create controller " + type.getName(), e);
            }
        });
        return loader;
    }

    private static void addIcons(Stage stage) {
        for (int size : new int[] {16, 32, 48, 64, 128, 256}) {
            InputStream in = LoupeApp.class.getResourceAsStream("/assets/icons/loupe-" + size + ".png");
            if (in != null) stage.getIcons().add(new Image(in));
        }
    }
}
