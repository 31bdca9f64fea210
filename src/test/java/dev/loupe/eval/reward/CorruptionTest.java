package dev.loupe.eval.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.world.ObjectTerm;
import dev.loupe.world.ParsedCaption;
import dev.loupe.world.ShapesWorld;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

class CorruptionTest {
    private static List<String> sorted(List<ObjectTerm> objects) {
        List<String> out = new ArrayList<>();
        for (ObjectTerm o : objects) out.add(o.colour() + " " + o.shape());
        Collections.sort(out);
        return out;
    }

    /** Each corruption changes exactly its one attribute, and the result is still a caption of the grammar. */
    @Property(tries = 200)
    void changesExactlyOneAttribute(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        ParsedCaption truth = ParsedCaption.of(ShapesWorld.scene(seed));
        int n = truth.objects().size();
        for (Corruption c : Corruption.values()) {
            Optional<ParsedCaption> changed = c.apply(truth, new Random(seed));
            if (c == Corruption.REMOVED_OBJECT && n == 1) {
                assertTrue(changed.isEmpty());
                continue;
            }
            ParsedCaption wrong = changed.orElseThrow();
            assertEquals(wrong, dev.loupe.world.Caption.parse(wrong.text()), "round trip of " + wrong.text());
            switch (c) {
                case OBJECT_COLOUR, SHAPE -> {
                    assertEquals(truth.background(), wrong.background());
                    assertEquals(n, wrong.objects().size());
                    int differing = 0;
                    for (int i = 0; i < n; i++) {
                        ObjectTerm a = truth.objects().get(i);
                        ObjectTerm b = wrong.objects().get(i);
                        if (!a.equals(b)) {
                            differing++;
                            if (c == Corruption.SHAPE) assertEquals(a.colour(), b.colour());
                            else assertEquals(a.shape(), b.shape());
                            assertTrue(b.colour().isObjectColour());
                        }
                    }
                    assertEquals(1, differing, c + " on " + truth.text() + " gave " + wrong.text());
                }
                case BACKGROUND_COLOUR, BACKGROUND_KIND -> {
                    assertEquals(truth.objects(), wrong.objects());
                    assertNotEquals(truth.background(), wrong.background());
                    if (c == Corruption.BACKGROUND_COLOUR) assertEquals(truth.background().get().kind(), wrong.background().get().kind());
                    else assertEquals(truth.background().get().colour(), wrong.background().get().colour());
                }
                case ADDED_OBJECT, REMOVED_OBJECT -> {
                    assertEquals(truth.background(), wrong.background());
                    List<String> small = sorted(c == Corruption.ADDED_OBJECT ? truth.objects() : wrong.objects());
                    List<String> large = sorted(c == Corruption.ADDED_OBJECT ? wrong.objects() : truth.objects());
                    assertEquals(small.size() + 1, large.size());
                    for (String o : small) large.remove(o);
                    assertEquals(1, large.size(), "one object more: " + truth.text() + " / " + wrong.text());
                }
            }
        }
    }
}
