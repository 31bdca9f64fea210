package dev.loupe.app;

import dev.loupe.Version;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.concurrent.Task;
import javafx.fxml.FXML;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.input.DragEvent;
import javafx.scene.input.TransferMode;
import org.controlsfx.control.StatusBar;

/** The main window: menu, workspaces and the status bar. Work happens in the workspaces' controllers. */
public final class MainWindowController {
    private final Workbench workbench;

    @FXML private TabPane workspaces;
    @FXML private Tab featuresTab;
    @FXML private Tab frontierTab;
    @FXML private Tab modelsTab;
    @FXML private FeaturesController featuresController;
    @FXML private FrontierController frontierController;
    @FXML private ModelsController modelsController;
    @FXML private StatusBar statusBar;
    @FXML private MenuItem exportItem;
    @FXML private CheckMenuItem darkTheme;

    private final Button cancel = new Button("Cancel");

    public MainWindowController(Workbench workbench) {
        this.workbench = workbench;
    }

    @FXML
    private void initialize() {
        darkTheme.setSelected(Themes.saved() == Themes.Theme.DARK);
        bindStatusBar();
        exportItem.disableProperty().bind(currentWorkspace().canExport().not());
        workspaces.getSelectionModel().selectedItemProperty().addListener((obs, old, tab) -> {
            exportItem.disableProperty().unbind();
            exportItem.disableProperty().bind(currentWorkspace().canExport().not());
        });
        workspaces.setOnDragOver(this::acceptImageDrop);
        workspaces.setOnDragDropped(this::imageDropped);
    }

    /** Called once the window is showing. */
    void started() {
        modelsController.refresh();
        // -Dloupe.open=IMAGE: open an image at start (./loupe with LOUPE_JAVA_OPTS, screenshots)
        String open = System.getProperty("loupe.open");
        if (open != null && !open.isBlank()) openImage(Path.of(open));
    }

    private void bindStatusBar() {
        cancel.getStyleClass().add("small");
        cancel.setOnAction(e -> {
            Task<?> t = workbench.tasks().current().get();
            if (t != null) t.cancel();
        });
        statusBar.getRightItems().add(cancel);
        var current = workbench.tasks().current();
        cancel.visibleProperty().bind(current.isNotNull());
        current.addListener((obs, old, task) -> {
            statusBar.textProperty().unbind();
            statusBar.progressProperty().unbind();
            if (task == null) {
                statusBar.setText("Ready");
                statusBar.setProgress(0);
            } else {
                statusBar.textProperty().bind(Bindings.concat(task.titleProperty(), ": ", task.messageProperty()));
                statusBar.progressProperty().bind(task.progressProperty());
            }
        });
        statusBar.setText("Ready");
    }

    private Workspace currentWorkspace() {
        Tab tab = workspaces.getSelectionModel().getSelectedItem();
        if (tab == featuresTab) return featuresController;
        if (tab == frontierTab) return frontierController;
        return modelsController;
    }

    @FXML
    private void openImage() {
        FileDialogs.chooseImage(workbench.window()).ifPresent(this::openImage);
    }

    /** Shows {@code file} in the Features workspace (the path the menu, drag and drop and tests share). */
    public void openImage(Path file) {
        workspaces.getSelectionModel().select(featuresTab);
        featuresController.openImage(file);
    }

    /** Opens what the command line asked for: images in Features, anything else in Models, then the chosen workspace. */
    public void startWith(LoupeApp.Startup startup) {
        for (Path file : startup.files()) {
            if (FileDialogs.isImage(file)) openImage(file);
            else openModel(file);
        }
        if (startup.workspace() != null) {
            switch (startup.workspace()) {
                case features -> showFeatures();
                case frontier -> showFrontier();
                case models -> showModels();
            }
        }
    }

    @FXML
    private void openModel() {
        FileDialogs.chooseModel(workbench.window()).ifPresent(this::openModel);
    }

    public void openModel(Path file) {
        workspaces.getSelectionModel().select(modelsTab);
        modelsController.openModel(file);
    }

    @FXML
    private void export() {
        currentWorkspace().export();
    }

    @FXML
    private void quit() {
        workbench.close();
        javafx.application.Platform.exit();
    }

    @FXML
    private void toggleTheme() {
        Themes.apply(workspaces.getScene(), darkTheme.isSelected() ? Themes.Theme.DARK : Themes.Theme.LIGHT);
    }

    @FXML
    private void showFeatures() {
        workspaces.getSelectionModel().select(featuresTab);
    }

    @FXML
    private void showFrontier() {
        workspaces.getSelectionModel().select(frontierTab);
    }

    @FXML
    private void showModels() {
        workspaces.getSelectionModel().select(modelsTab);
    }

    @FXML
    private void about() {
        Alert about = new Alert(Alert.AlertType.INFORMATION, null, ButtonType.CLOSE);
        about.initOwner(workbench.window());
        about.setTitle("About Loupe");
        about.setHeaderText("Loupe " + Version.get());
        about.setContentText("""
                A workbench for dense features and fast diffusion, offline on your CPU.

                UPLiFT: Walmer, Suri, Aggarwal, Shrivastava. "UPLiFT: Efficient Pixel-Dense Feature Upsampling \
                with Local Attenders", CVPR 2026 (reference code MIT licence).
                ECAD: Aggarwal, Shrivastava, Gwilliam. "Evolutionary Caching to Accelerate Your Off-the-Shelf \
                Diffusion Model", ICLR 2026.

                Java %s, JavaFX %s, DJL with the PyTorch engine.""".formatted(
                System.getProperty("java.version"), System.getProperty("javafx.runtime.version")));
        about.getDialogPane().setMinWidth(560);
        about.show();
    }

    private void acceptImageDrop(DragEvent e) {
        if (e.getDragboard().hasFiles()) e.acceptTransferModes(TransferMode.COPY);
        e.consume();
    }

    private void imageDropped(DragEvent e) {
        List<File> files = e.getDragboard().getFiles();
        boolean ok = files != null && !files.isEmpty();
        if (ok) openImage(files.get(0).toPath());
        e.setDropCompleted(ok);
        e.consume();
    }

    public FeaturesController features() {
        return featuresController;
    }

    public FrontierController frontier() {
        return frontierController;
    }

    public ModelsController models() {
        return modelsController;
    }
}
