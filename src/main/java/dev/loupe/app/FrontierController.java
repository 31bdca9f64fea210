package dev.loupe.app;

import javafx.fxml.FXML;
import javafx.scene.layout.StackPane;
import org.kordamp.ikonli.material2.Material2OutlinedAL;

/** The Frontier workspace: ECAD's caching-schedule search. */
public final class FrontierController implements Workspace {
    private final Workbench workbench;
    @FXML private StackPane root;

    public FrontierController(Workbench workbench) {
        this.workbench = workbench;
    }

    @FXML
    private void initialize() {
        root.getChildren().setAll(new EmptyState(Material2OutlinedAL.INSIGHTS, "Caching-schedule frontier",
                "Here the ECAD search will grow the Pareto frontier of caching schedules (image quality against cost) "
                        + "for a diffusion transformer, live; a click on a point renders with that schedule. It needs "
                        + "the sample diffusion model, which this build does not include yet."));
    }
}
