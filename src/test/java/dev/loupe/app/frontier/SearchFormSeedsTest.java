package dev.loupe.app.frontier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.LoupeException;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.AlphaChars;

class SearchFormSeedsTest {
    @Property
    void seedsWrittenWithAnySeparatorsReadBack(@ForAll @Size(min = 1, max = 8) List<Long> seeds, @ForAll boolean spaces) {
        String text = seeds.stream().map(String::valueOf).collect(Collectors.joining(spaces ? "  " : ", "));
        assertEquals(seeds, SearchForm.parseSeeds(" " + text + " "));
    }

    @Property
    void wordsAreRefusedNamingTheWord(@ForAll @AlphaChars @StringLength(min = 1, max = 6) String word) {
        LoupeException e = assertThrows(LoupeException.class, () -> SearchForm.parseSeeds("0, " + word));
        assertTrue(e.getMessage().contains("'" + word + "'"), e.getMessage());
    }

    @Property(tries = 10)
    void emptyTextAsksForASeed(@ForAll("blank") String text) {
        assertThrows(LoupeException.class, () -> SearchForm.parseSeeds(text));
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> blank() {
        return net.jqwik.api.Arbitraries.of("", " ", ",", " , ,", "\t");
    }
}
