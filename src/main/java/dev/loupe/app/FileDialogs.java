package dev.loupe.app;

import java.io.File;
import java.nio.file.Path;
import java.util.Optional;
import java.util.prefs.Preferences;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Window;

/** The open and save dialogs of the workbench; each remembers the folder it was last used in. */
public final class FileDialogs {
    private static final Preferences PREFS = Preferences.userNodeForPackage(FileDialogs.class);

    private static final java.util.List<String> IMAGE_PATTERNS = java.util.List.of("*.png", "*.jpg", "*.jpeg", "*.bmp", "*.gif");

    private FileDialogs() {}

    public static Optional<Path> chooseImage(Window owner) {
        return open(owner, "Open image", "image-dir", new FileChooser.ExtensionFilter("Images", IMAGE_PATTERNS));
    }

    /** Whether the file's name says it is an image the workbench opens (its content is checked when read). */
    public static boolean isImage(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return IMAGE_PATTERNS.stream().anyMatch(p -> name.endsWith(p.substring(1)));
    }

    public static Optional<Path> chooseModel(Window owner) {
        return open(owner, "Open model", "model-dir", new FileChooser.ExtensionFilter("Models",
                "*.safetensors", "*.pt", "*.pth", "*.torchscript", "*.onnx", "model.json"));
    }

    public static Optional<Path> open(Window owner, String title, String key, FileChooser.ExtensionFilter filter) {
        FileChooser chooser = chooser(title, key);
        chooser.getExtensionFilters().addAll(filter, new FileChooser.ExtensionFilter("All files", "*.*"));
        return remember(key, chooser.showOpenDialog(owner));
    }

    public static Optional<Path> save(Window owner, String title, String key, String initialName,
            FileChooser.ExtensionFilter filter) {
        FileChooser chooser = chooser(title, key);
        chooser.setInitialFileName(initialName);
        chooser.getExtensionFilters().add(filter);
        return remember(key, chooser.showSaveDialog(owner));
    }

    /** A folder (for exports, or a model folder); remembers where it was last used. */
    public static Optional<Path> chooseFolder(Window owner, String title, String key) {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle(title);
        String dir = PREFS.get(key, null);
        if (dir != null && new File(dir).isDirectory()) chooser.setInitialDirectory(new File(dir));
        File folder = chooser.showDialog(owner);
        if (folder == null) return Optional.empty();
        if (!Boolean.getBoolean("loupe.ephemeral")) PREFS.put(key, folder.getAbsolutePath());
        return Optional.of(folder.toPath());
    }

    private static FileChooser chooser(String title, String key) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(title);
        String dir = PREFS.get(key, null);
        if (dir != null && new File(dir).isDirectory()) chooser.setInitialDirectory(new File(dir));
        return chooser;
    }

    private static Optional<Path> remember(String key, File file) {
        if (file == null) return Optional.empty();
        if (file.getParentFile() != null && !Boolean.getBoolean("loupe.ephemeral")) {
            PREFS.put(key, file.getParentFile().getAbsolutePath());
        }
        return Optional.of(file.toPath());
    }
}
