package dev.loupe.app;

import atlantafx.base.theme.Styles;
import com.google.gson.GsonBuilder;
import dev.loupe.LoupeException;
import dev.loupe.models.CardMetrics;
import dev.loupe.models.LoupeHome;
import dev.loupe.models.ModelCard;
import dev.loupe.models.ModelCatalog;
import dev.loupe.tensor.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.fxml.FXML;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeTableColumn;
import javafx.scene.control.TreeTableView;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.material2.Material2OutlinedAL;

/**
 * The Models workspace: the shipped sample models with their cards (how they were made, what they measure, file
 * checksums), and any weight file the user opens, inspected key by key.
 */
public final class ModelsController implements Workspace {
    /** One row of the model list. */
    public sealed interface Entry permits SampleModel, UserFile {
        String title();

        String subtitle();
    }

    public record SampleModel(ModelCard card) implements Entry {
        public String title() { return card.name(); }

        public String subtitle() { return card.kind(); }
    }

    /** A weight file the user opened: its tensors when it is safetensors, its size otherwise. */
    public record UserFile(Path file, long bytes, Map<String, SafeTensors.TensorInfo> tensors) implements Entry {
        public String title() { return file.getFileName().toString(); }

        public String subtitle() {
            return tensors.isEmpty() ? format(file) + ", " + humanBytes(bytes) : tensors.size() + " tensors, "
                    + String.format(Locale.ROOT, "%,d", parameters()) + " parameters";
        }

        long parameters() {
            return tensors.values().stream().mapToLong(t -> t.shape().size()).sum();
        }
    }

    private static final double METRIC_ROW_HEIGHT = 26;
    private static final double METRICS_HEADER_HEIGHT = 32;
    private static final double METRICS_MAX_HEIGHT = 340;

    private final Workbench workbench;
    private final ObservableList<Entry> entries = FXCollections.observableArrayList();
    @FXML private ListView<Entry> list;
    @FXML private StackPane detail;

    public ModelsController(Workbench workbench) {
        this.workbench = workbench;
    }

    @FXML
    private void initialize() {
        list.setItems(entries);
        list.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(Entry item, boolean empty) {
                super.updateItem(item, empty);
                if (empty || item == null) {
                    setGraphic(null);
                    setText(null);
                } else {
                    Label title = new Label(item.title());
                    title.getStyleClass().add("model-title");
                    Label sub = new Label(item.subtitle());
                    sub.getStyleClass().add("model-subtitle");
                    setGraphic(new VBox(2, title, sub));
                    setText(null);
                }
            }
        });
        list.getSelectionModel().selectedItemProperty().addListener((obs, old, e) -> showDetail(e));
        showDetail(null);
    }

    /** Re-reads the shipped model cards in the background. */
    public void refresh() {
        Path root = LoupeHome.sampleModels();
        workbench.tasks().submit("Model cards", progress -> ModelCatalog.scan(root), cards -> {
            entries.removeIf(e -> e instanceof SampleModel);
            List<Entry> samples = new ArrayList<>();
            cards.forEach(c -> samples.add(new SampleModel(c)));
            entries.addAll(0, samples);
            if (list.getSelectionModel().isEmpty() && !entries.isEmpty()) list.getSelectionModel().select(0);
            else showDetail(list.getSelectionModel().getSelectedItem());
        });
    }

    /** Inspects a user's model file (safetensors, TorchScript, ONNX, or a folder's model.json). */
    public void openModel(Path file) {
        workbench.tasks().submit("Open model", progress -> inspect(file), entry -> {
            entries.add(entry);
            list.getSelectionModel().select(entry);
        });
    }

    static Entry inspect(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new LoupeException(file + ": no such file");
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.equals("model.json")) return new SampleModel(ModelCard.read(file.toAbsolutePath().getParent()));
        if (name.endsWith(".safetensors")) return new UserFile(file, Files.size(file), SafeTensors.describe(file));
        if (name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".torchscript") || name.endsWith(".onnx")) {
            return new UserFile(file, Files.size(file), Map.of());
        }
        throw new LoupeException(file + " is not a model file Loupe knows (safetensors, TorchScript .pt, ONNX, or model.json)");
    }

    private void showDetail(Entry e) {
        Node content;
        if (e == null) {
            Button open = new Button("Open model...");
            open.setOnAction(a -> FileDialogs.chooseModel(workbench.window()).ifPresent(this::openModel));
            content = new EmptyState(Material2OutlinedAL.LAYERS, "Models",
                    "The sample models shipped in sample-models/ are listed on the left with their model cards. "
                            + "Open a weight file (safetensors, TorchScript or ONNX) to inspect its tensors.", open);
        } else if (e instanceof SampleModel s) {
            content = cardView(s.card());
        } else {
            content = fileView((UserFile) e);
        }
        detail.getChildren().setAll(content);
    }

    private Node cardView(ModelCard card) {
        VBox box = page(card.name(), card.kind() + " - " + card.folder());
        if (!card.description().isEmpty()) box.getChildren().add(wrapped(card.description()));
        List<CardMetrics.Metric> measured = CardMetrics.of(card);
        if (!measured.isEmpty()) box.getChildren().addAll(section("Measured after training"), metricsTree(measured));
        if (!card.reproduce().isEmpty()) {
            TextArea cmd = new TextArea(card.reproduce());
            cmd.setEditable(false);
            cmd.setWrapText(true);
            cmd.setPrefRowCount(2);
            cmd.getStyleClass().add("mono");
            box.getChildren().addAll(section("Reproduce"), cmd);
        }
        GridPane files = grid();
        int row = 0;
        for (Map.Entry<String, String> f : card.files().entrySet()) {
            Path p = card.folder().resolve(f.getKey());
            String size = Files.isRegularFile(p) ? humanBytes(p.toFile().length()) : "missing";
            files.addRow(row++, key(f.getKey()), new Label(size), mono(f.getValue()));
        }
        Label verdict = new Label();
        Button verify = new Button("Verify checksums");
        verify.setOnAction(a -> workbench.tasks().submit("Verify " + card.name(), progress -> {
            card.verify();
            return "All files match their SHA-256.";
        }, verdict::setText));
        box.getChildren().addAll(section("Files"), files, new VBox(6, verify, verdict));
        box.getChildren().addAll(section("Card"), rawJson(card));
        return scroll(box);
    }

    /** The card's figures as a tree: groups of the first level open, deeper ones folded. */
    private static Node metricsTree(List<CardMetrics.Metric> measured) {
        TreeItem<CardMetrics.Metric> root = new TreeItem<>();
        for (CardMetrics.Metric m : measured) {
            TreeItem<CardMetrics.Metric> item = treeItem(m);
            item.setExpanded(m.isGroup());
            root.getChildren().add(item);
        }
        TreeTableView<CardMetrics.Metric> tree = new TreeTableView<>(root);
        tree.setId("card-metrics");
        tree.setShowRoot(false);
        tree.getStyleClass().add(Styles.DENSE);
        tree.getColumns().add(treeColumn("Metric", CardMetrics.Metric::name, 360));
        tree.getColumns().add(treeColumn("Value", CardMetrics.Metric::value, 420));
        tree.setColumnResizePolicy(TreeTableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        // as tall as its open rows, up to the old fixed height: a short card leaves no empty rows, a long one leaves room for the files below
        tree.setFixedCellSize(METRIC_ROW_HEIGHT);
        tree.prefHeightProperty().bind(Bindings.min(METRICS_MAX_HEIGHT,
                tree.expandedItemCountProperty().multiply(METRIC_ROW_HEIGHT).add(METRICS_HEADER_HEIGHT)));
        return tree;
    }

    private static TreeItem<CardMetrics.Metric> treeItem(CardMetrics.Metric metric) {
        TreeItem<CardMetrics.Metric> item = new TreeItem<>(metric);
        metric.children().forEach(c -> item.getChildren().add(treeItem(c)));
        return item;
    }

    private static TreeTableColumn<CardMetrics.Metric, String> treeColumn(String title,
            Function<CardMetrics.Metric, String> value, double width) {
        TreeTableColumn<CardMetrics.Metric, String> c = new TreeTableColumn<>(title);
        c.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(value.apply(cell.getValue().getValue())));
        c.setPrefWidth(width);
        return c;
    }

    private Node rawJson(ModelCard card) {
        TextArea json = new TextArea(new GsonBuilder().setPrettyPrinting().create().toJson(card.json()));
        json.setEditable(false);
        json.setPrefRowCount(12);
        json.getStyleClass().add("mono");
        return json;
    }

    private Node fileView(UserFile f) {
        VBox box = page(f.title(), format(f.file()) + ", " + humanBytes(f.bytes()) + " - " + f.file().toAbsolutePath().getParent());
        if (f.tensors().isEmpty()) {
            box.getChildren().add(wrapped(format(f.file()).startsWith("safetensors") ? "The file holds no tensors."
                    : "A " + format(f.file()) + " file is used as a backbone in the Features workspace: it is loaded "
                            + "there and asked for its patch features."));
            return scroll(box);
        }
        box.getChildren().add(wrapped(String.format(Locale.ROOT, "%,d tensors, %,d parameters", f.tensors().size(), f.parameters())));
        TableView<SafeTensors.TensorInfo> table = new TableView<>(FXCollections.observableArrayList(f.tensors().values()));
        table.getColumns().add(column("Key", t -> t.name(), 420));
        table.getColumns().add(column("Shape", t -> t.shape().toString(), 160));
        table.getColumns().add(column("Type", t -> t.type().toString(), 90));
        table.getColumns().add(column("Values", t -> String.format(Locale.ROOT, "%,d", t.shape().size()), 110));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPrefHeight(520);
        box.getChildren().add(table);
        return scroll(box);
    }

    private static <T> TableColumn<T, String> column(String title, Function<T, String> value, double width) {
        TableColumn<T, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(value.apply(cell.getValue())));
        c.setPrefWidth(width);
        return c;
    }

    private static VBox page(String title, String subtitle) {
        Label t = new Label(title);
        t.getStyleClass().add("page-title");
        Label s = new Label(subtitle);
        s.getStyleClass().add("page-subtitle");
        VBox box = new VBox(10, t, s);
        box.setPadding(new Insets(20, 24, 24, 24));
        return box;
    }

    private static Node scroll(VBox box) {
        ScrollPane sp = new ScrollPane(box);
        sp.setFitToWidth(true);
        return sp;
    }

    private static Label section(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("section-title");
        return l;
    }

    private static Label wrapped(String text) {
        Label l = new Label(text);
        l.setWrapText(true);
        return l;
    }

    private static Label key(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("key");
        return l;
    }

    private static Label mono(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("mono");
        return l;
    }

    private static GridPane grid() {
        GridPane g = new GridPane();
        g.setHgap(16);
        g.setVgap(4);
        return g;
    }

    static String format(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".safetensors")) return "safetensors";
        if (n.endsWith(".onnx")) return "ONNX";
        return "TorchScript";
    }

    static String humanBytes(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
        if (bytes < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1073741824.0);
    }

    public ObservableList<Entry> entries() {
        return entries;
    }
}
