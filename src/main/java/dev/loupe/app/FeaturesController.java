package dev.loupe.app;

import dev.loupe.LoupeException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.embed.swing.SwingFXUtils;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.StackPane;
import javax.imageio.ImageIO;
import org.kordamp.ikonli.material2.Material2OutlinedAL;

/** The Features workspace: an image, its backbone features and their upsampled versions. */
public final class FeaturesController implements Workspace {
    private final Workbench workbench;
    @FXML private StackPane root;
    private final ImageView imageView = new ImageView();
    private final Label imageInfo = new Label();
    private Path current;

    public FeaturesController(Workbench workbench) {
        this.workbench = workbench;
    }

    @FXML
    private void initialize() {
        Button open = new Button("Open image...");
        open.setDefaultButton(true);
        open.setOnAction(e -> FileDialogs.chooseImage(workbench.window()).ifPresent(this::openImage));
        root.getChildren().setAll(new EmptyState(Material2OutlinedAL.IMAGE, "Drop an image here",
                "Drop an image file on this window or use File > Open image. Its backbone features (low resolution) "
                        + "and their UPLiFT-upsampled version will appear side by side as PCA colour maps.", open));
        imageView.setPreserveRatio(true);
        imageView.setSmooth(false);
    }

    /** Loads {@code file} in the background; a file that is not a readable image gets the error dialog. */
    public void openImage(Path file) {
        workbench.tasks().submit("Open image", progress -> {
            progress.update(-1, "reading " + file.getFileName());
            return readImage(file);
        }, image -> show(file, image));
    }

    private void show(Path file, BufferedImage image) {
        current = file;
        Image fx = SwingFXUtils.toFXImage(image, null);
        imageView.setImage(fx);
        imageView.fitWidthProperty().bind(root.widthProperty().multiply(0.9));
        imageView.fitHeightProperty().bind(root.heightProperty().multiply(0.8));
        imageInfo.setText(file.getFileName() + "  " + image.getWidth() + " x " + image.getHeight() + " px");
        BorderPane pane = new BorderPane(imageView);
        pane.setBottom(imageInfo);
        root.getChildren().setAll(pane);
    }

    public Path currentImage() {
        return current;
    }

    static BufferedImage readImage(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new LoupeException(file + ": no such file");
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw new LoupeException(file + " is not an image Loupe can read (PNG, JPEG, BMP or GIF)");
        }
        return image;
    }
}
