package dev.loupe.app;

import java.nio.file.Path;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;

/** What the main window's menu can ask of the workspace that is showing. */
public interface Workspace {
    /** Whether File > Export has something to export in this workspace now. */
    default ReadOnlyBooleanProperty canExport() {
        return new ReadOnlyBooleanWrapper(false).getReadOnlyProperty();
    }

    /** Exports the workspace's current result (asks the user where). */
    default void export() {}
}
