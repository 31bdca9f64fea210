package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.models.LoupeHome;
import dev.loupe.models.ModelCard;
import dev.loupe.models.ModelCatalog;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A user reproduces a sample model with the command on its card: every command there must be one Loupe has, and every
 * option it uses one that the command's help explains (not a hidden one).
 */
class ShippedRecipesTest {
    @Test
    void everyOptionOnEveryShippedCardIsAVisibleOption() {
        List<ModelCard> cards = ModelCatalog.scan(LoupeHome.sampleModels());
        assertTrue(cards.size() >= 7, "the shipped sample models: " + cards);
        int checked = 0;
        for (ModelCard card : cards) {
            assertFalse(card.reproduce().isBlank(), card.name() + " records how it was made");
            for (String run : card.reproduce().split(" && ")) {
                CommandLine command = LoupeCommand.commandLine();
                String[] words = run.trim().split("\\s+");
                assertTrue(words[0].equals("./loupe"), card.name() + ": " + run);
                for (int w = 1; w < words.length; w++) {
                    String word = words[w];
                    if (!word.startsWith("--")) {
                        CommandLine sub = command.getSubcommands().get(word);
                        if (sub != null) command = sub;
                        continue;
                    }
                    String name = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
                    OptionSpec option = command.getCommandSpec().findOption(name);
                    assertNotNull(option, card.name() + ": '" + command.getCommandSpec().qualifiedName() + "' has no option " + name + " (" + run + ")");
                    assertFalse(option.hidden(), card.name() + ": the card's command uses " + name + ", which '"
                            + command.getCommandSpec().qualifiedName() + " --help' must explain to a user reproducing it");
                    checked++;
                }
            }
        }
        assertTrue(checked > 20, "options checked: " + checked);
    }
}
