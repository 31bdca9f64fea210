package dev.loupe.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.LoupeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackbonesTest {
    @Test
    void opensByExtensionAndExplainsWhatItCannotOpen(@TempDir Path tmp) throws IOException {
        try (Backbone b = Backbones.open("src/test/resources/backbones/tiny_backbone.onnx")) {
            assertTrue(b instanceof OnnxBackbone);
        }
        try (Backbone b = Backbones.open("src/test/resources/backbones/tiny_backbone.pt")) {
            assertTrue(b instanceof TorchScriptBackbone);
        }
        Path weights = Files.writeString(tmp.resolve("w.safetensors"), "x");
        assertMessage(weights + " is not a backbone file Loupe knows", () -> Backbones.open(weights.toString()));
        assertMessage(tmp.resolve("nope.pt") + ": no such file", () -> Backbones.open(tmp.resolve("nope.pt").toString()));
        assertMessage(tmp + " is a folder without a model.json", () -> Backbones.open(tmp.toString()));
        assertMessage("no backbone given", () -> Backbones.open(" "));
        String home = System.getProperty("loupe.home");
        System.setProperty("loupe.home", tmp.toString());
        try {
            assertMessage("sample model 'sample-vit' is missing", () -> Backbones.open("sample"));
        } finally {
            if (home == null) System.clearProperty("loupe.home"); else System.setProperty("loupe.home", home);
        }
    }

    private static void assertMessage(String start, org.junit.jupiter.api.function.Executable call) {
        LoupeException e = assertThrows(LoupeException.class, call);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }

    @Property
    void inputSizesAreWholePatchesAndKeepTheAspect(@ForAll @IntRange(min = 1, max = 5000) int height,
                                                   @ForAll @IntRange(min = 1, max = 5000) int width,
                                                   @ForAll @IntRange(min = 1, max = 32) int patch,
                                                   @ForAll @IntRange(min = 32, max = 1024) int longSide) {
        BackboneInput.Size s = BackboneInput.sizeFor(height, width, patch, longSide);
        assertEquals(0, s.height() % patch);
        assertEquals(0, s.width() % patch);
        assertTrue(s.height() >= patch && s.width() >= patch);
        int side = Math.max(s.height(), s.width());
        assertTrue(Math.abs(side - longSide) <= patch / 2 + 1 || side == patch, s + " for " + longSide);
        // the shorter side is within half a patch (plus rounding of the long side) of the exact aspect
        double exact = (double) Math.min(height, width) / Math.max(height, width) * side;
        int shorter = Math.min(s.height(), s.width());
        assertTrue(shorter == patch || Math.abs(shorter - exact) <= patch / 2.0 + 1e-9, s + " vs " + exact);
        if (s.height() != s.width()) assertEquals(height > width, s.height() > s.width());
    }
}
