package dev.loupe.app.frontier;

import dev.loupe.LoupeException;
import dev.loupe.search.SearchSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.collections.ObservableList;
import javafx.scene.Node;
import javafx.scene.control.ListView;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextField;
import javafx.scene.control.cell.TextFieldListCell;

/**
 * The Frontier workspace's search settings: the model folder, the calibration prompts (editable in place), the seeds,
 * the population and the number of generations. It turns what the user typed into {@link SearchSettings}, with a
 * message naming the field that is wrong, and shows the settings of a run that was opened.
 */
public final class SearchForm {
    /** What a new prompt starts as, for the user to edit. */
    static final String NEW_PROMPT = "a red circle on a plain white background";

    private final TextField model;
    private final ListView<String> prompts;
    private final TextField seeds;
    private final Spinner<Integer> population;
    private final Spinner<Integer> generations;

    public SearchForm(TextField model, ListView<String> prompts, TextField seeds, Spinner<Integer> population,
            Spinner<Integer> generations) {
        this.model = model;
        this.prompts = prompts;
        this.seeds = seeds;
        this.population = population;
        this.generations = generations;
        prompts.setCellFactory(TextFieldListCell.forListView());
    }

    /** Shows the default settings for the model folder {@code folder}. */
    public void showDefaults(Path folder) {
        SearchSettings defaults = SearchSettings.defaults(folder);
        model.setText(folder.toString());
        prompts.getItems().setAll(defaults.prompts());
        seeds.setText(joinSeeds(defaults.seeds()));
        population.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(2, 1000, defaults.population()));
        generations.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(1, 1000, defaults.generations()));
    }

    /** The settings as typed; the search's rates, fidelity weight, steps and guidance are the defaults. */
    public SearchSettings settings() {
        String modelText = model.getText() == null ? "" : model.getText().trim();
        if (modelText.isEmpty()) throw new LoupeException("choose the model folder to search schedules for");
        Path folder = Path.of(modelText);
        if (!Files.isDirectory(folder)) throw new LoupeException(folder + ": no such model folder");
        List<String> chosen = new ArrayList<>();
        for (String p : prompts.getItems()) if (p != null && !p.isBlank()) chosen.add(p.trim());
        if (chosen.isEmpty()) throw new LoupeException("add at least one calibration prompt");
        List<Long> seedList = parseSeeds(seeds.getText());
        SearchSettings d = SearchSettings.defaults(folder);
        return new SearchSettings(folder, chosen, seedList, population.getValue(), generations.getValue(), d.crossoverRate(),
                d.mutationRate(), d.fidelityWeight(), d.steps(), d.guidance(), d.guidanceStop());
    }

    /** Seeds written as whole numbers separated by commas or spaces. */
    public static List<Long> parseSeeds(String text) {
        List<Long> out = new ArrayList<>();
        for (String part : (text == null ? "" : text).split("[,\\s]+")) {
            if (part.isBlank()) continue;
            try {
                out.add(Long.parseLong(part));
            } catch (NumberFormatException e) {
                throw new LoupeException("seeds: '" + part + "' is not a whole number (write them as 0, 1, 2)");
            }
        }
        if (out.isEmpty()) throw new LoupeException("seeds: give at least one seed, for example 0");
        return out;
    }

    private static String joinSeeds(List<Long> seeds) {
        return String.join(", ", seeds.stream().map(String::valueOf).toList());
    }

    /** Shows the settings of a run. */
    public void fill(SearchSettings s) {
        model.setText(s.model().toString());
        prompts.getItems().setAll(s.prompts());
        seeds.setText(joinSeeds(s.seeds()));
        population.getValueFactory().setValue(s.population());
        generations.getValueFactory().setValue(s.generations());
    }

    public void setModel(Path folder) {
        model.setText(folder.toString());
    }

    public ObservableList<String> prompts() {
        return prompts.getItems();
    }

    /** Adds a prompt and starts editing it. */
    public void addPrompt() {
        prompts.getItems().add(NEW_PROMPT);
        prompts.getSelectionModel().selectLast();
        prompts.edit(prompts.getItems().size() - 1);
    }

    public void removeSelectedPrompt() {
        int i = prompts.getSelectionModel().getSelectedIndex();
        if (i >= 0) prompts.getItems().remove(i);
    }

    public void defaultPrompts() {
        prompts.getItems().setAll(SearchSettings.defaults(Path.of(model.getText())).prompts());
    }

    public void setPopulation(int value) {
        population.getValueFactory().setValue(value);
    }

    public void setGenerations(int value) {
        generations.getValueFactory().setValue(value);
    }

    public Spinner<Integer> generations() {
        return generations;
    }

    /** The fields to lock while a search runs. */
    public List<Node> fields() {
        return List.of(model, prompts, seeds, population, generations);
    }
}
