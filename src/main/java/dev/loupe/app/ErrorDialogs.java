package dev.loupe.app;

import dev.loupe.LoupeException;
import java.io.PrintWriter;
import java.io.StringWriter;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.TextArea;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * The one error dialog: what failed as the header, the plain message (which names the file and the problem) as
 * the content, and the technical details folded away for a bug report.
 */
public final class ErrorDialogs {
    private ErrorDialogs() {}

    public static Alert create(Window owner, String whatFailed, Throwable error) {
        Alert alert = new Alert(Alert.AlertType.ERROR, LoupeException.userMessage(error), ButtonType.OK);
        if (owner != null) alert.initOwner(owner);
        alert.setTitle("Loupe");
        alert.setHeaderText(whatFailed);
        alert.getDialogPane().getStyleClass().add("loupe-error");
        alert.getDialogPane().setMinWidth(520);

        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        TextArea details = new TextArea(trace.toString());
        details.setEditable(false);
        details.setWrapText(false);
        details.setPrefRowCount(14);
        details.getStyleClass().add("error-details");
        VBox.setVgrow(details, Priority.ALWAYS);
        alert.getDialogPane().setExpandableContent(new VBox(details));
        alert.getDialogPane().setExpanded(false);
        return alert;
    }

    /** Shows the dialog without blocking the caller. */
    public static Alert show(Window owner, String whatFailed, Throwable error) {
        Alert alert = create(owner, whatFailed, error);
        alert.show();
        return alert;
    }
}
