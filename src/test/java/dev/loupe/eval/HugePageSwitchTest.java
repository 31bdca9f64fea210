package dev.loupe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import org.junit.jupiter.api.Test;

/** The bench report names the allocator it ran with; it must read libtorch's switch as libtorch does (atoi). */
class HugePageSwitchTest {

    @Property
    void anyIntegerButZeroTurnsItOn(@ForAll int value, @ForAll @AlphaChars String tail) {
        assertEquals(value != 0, UpsamplerBench.hugePageTensors(value + tail));
        assertEquals(value != 0, UpsamplerBench.hugePageTensors("  " + value));
    }

    @Test
    void unsetEmptyOrNotANumberIsOff() {
        assertFalse(UpsamplerBench.hugePageTensors(null));
        assertFalse(UpsamplerBench.hugePageTensors(""));
        assertFalse(UpsamplerBench.hugePageTensors("yes"));
        assertFalse(UpsamplerBench.hugePageTensors("000"));
        assertTrue(UpsamplerBench.hugePageTensors("007"));
        assertTrue(UpsamplerBench.hugePageTensors("+1"));
    }
}
