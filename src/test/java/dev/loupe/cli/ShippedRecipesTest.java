package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.models.LoupeHome;
import dev.loupe.models.ModelCard;
import dev.loupe.models.ModelCatalog;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * A user reproduces a sample model with the command on its card: every command there must parse as Loupe's, and every
 * option it uses be one that the command's help explains (not a hidden one).
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
                String[] words = run.trim().split("\\s+");
                assertEquals("./loupe", words[0], card.name() + ": " + run);
                ParseResult parsed;
                try {
                    parsed = LoupeCommand.commandLine().parseArgs(Arrays.copyOfRange(words, 1, words.length));
                } catch (CommandLine.ParameterException e) {
                    throw new AssertionError(card.name() + ": the card's command does not parse (" + run + "): " + e.getMessage(), e);
                }
                for (ParseResult command = parsed; command != null; command = command.subcommand()) {
                    for (OptionSpec option : command.matchedOptions()) {
                        assertFalse(option.hidden(), card.name() + ": the card's command uses " + option.longestName() + ", which '"
                                + command.commandSpec().qualifiedName() + " --help' must explain to a user reproducing it");
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked > 20, "options checked: " + checked);
    }
}
