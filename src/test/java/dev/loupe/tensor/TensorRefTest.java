package dev.loupe.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.LoupeException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorRefTest {
    @TempDir Path dir;

    @Property(tries = 200)
    void fileAndKeySurviveFormattingAndParsing(@ForAll @AlphaChars @StringLength(min = 1, max = 12) String file,
            @ForAll @StringLength(min = 1, max = 20) String key) {
        String keyWithoutHash = key.replace("#", "_");
        TensorRef ref = TensorRef.parse(file + "#x.safetensors#" + keyWithoutHash);
        assertEquals(Path.of(file + "#x.safetensors"), ref.file(), "split at the last '#'");
        assertEquals(keyWithoutHash, ref.key());
        assertEquals(ref, TensorRef.parse(ref.toString()));
    }

    @Test
    void keyIsOptionalAndEmptyFileIsRefused() {
        assertNull(TensorRef.parse("a.safetensors").key());
        assertNull(TensorRef.parse("a.safetensors#").key());
        assertThrows(LoupeException.class, () -> TensorRef.parse("#key"));
        assertThrows(LoupeException.class, () -> TensorRef.parse(" "));
    }

    @Test
    void readsByKeyAndNamesTheKeysWhenOneIsMissing() throws IOException {
        Path file = dir.resolve("t.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, ai.djl.ndarray.NDArray> t = new LinkedHashMap<>();
            t.put("a", m.ones(new Shape(2)));
            t.put("b", m.zeros(new Shape(3)));
            SafeTensors.write(file, t);
            assertEquals(new Shape(3), TensorRef.parse(file + "#b").read(m).getShape());
            LoupeException e = assertThrows(LoupeException.class, () -> TensorRef.parse(file + "#c").read(m));
            assertTrue(e.getMessage().contains("no tensor 'c'") && e.getMessage().contains("a, b"), e.getMessage());
            e = assertThrows(LoupeException.class, () -> TensorRef.parse(file.toString()).read(m));
            assertTrue(e.getMessage().contains("holds 2 tensors"), e.getMessage());
            assertTrue(TensorRef.looksLikeTensor(file + "#a"));
            assertTrue(!TensorRef.looksLikeTensor(dir.resolve("photo.png").toString()));
        }
    }
}
