package dev.loupe.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.LoupeException;
import dev.loupe.tensor.nn.Conv2d;
import dev.loupe.tensor.nn.Linear;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir Path dir;

    @Property(tries = 30)
    void anyFloatTensorsSurviveARoundTrip(@ForAll @Size(min = 1, max = 4) int[] dims, @ForAll @IntRange(max = 3) int extra)
            throws IOException {
        Path file = Files.createTempFile("roundtrip", ".safetensors");
        try (NDManager nd = NDManager.newBaseManager()) {
            long[] shape = Arrays.stream(dims).mapToLong(d -> 1 + Math.floorMod(d, 5)).toArray();
            Map<String, NDArray> in = new LinkedHashMap<>();
            in.put("a.weight", nd.randomNormal(new Shape(shape)));
            for (int i = 0; i < extra; i++) in.put("b." + i, nd.arange(i + 1L));
            SafeTensors.write(file, in);
            Map<String, NDArray> out = SafeTensors.read(file, nd);
            assertEquals(in.keySet(), out.keySet());
            for (String k : in.keySet()) {
                assertEquals(in.get(k).getShape(), out.get(k).getShape());
                assertEquals(in.get(k).getDataType(), out.get(k).getDataType());
                assertTrue(in.get(k).contentEquals(out.get(k)), k);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void truncatedFileNamesTheFileAndTheTensor() throws IOException {
        Path file = dir.resolve("w.safetensors");
        try (NDManager nd = NDManager.newBaseManager()) {
            SafeTensors.write(file, Map.of("big", nd.ones(new Shape(64, 64))));
            byte[] all = Files.readAllBytes(file);
            Files.write(file, Arrays.copyOf(all, all.length - 100));
            LoupeException e = assertThrows(LoupeException.class, () -> SafeTensors.read(file, nd));
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("truncated")
                    && e.getMessage().contains("'big'"), e.getMessage());
        }
    }

    @Test
    void textFileIsNotTakenForWeights() throws IOException {
        Path file = dir.resolve("notes.safetensors");
        Files.writeString(file, "these are not weights, just a text file");
        try (NDManager nd = NDManager.newBaseManager()) {
            LoupeException e = assertThrows(LoupeException.class, () -> SafeTensors.read(file, nd));
            assertTrue(e.getMessage().contains("not a safetensors file"), e.getMessage());
        }
    }

    static final class Tiny extends Module {
        final Linear proj;
        final Conv2d conv;

        Tiny(NDManager nd, int width) {
            super(nd);
            proj = child("proj", new Linear(nd, 4, width));
            conv = child("conv", new Conv2d(nd, 3, 2, 3, false));
        }
    }

    @Test
    void moduleSavesAndLoadsByDottedKeysAndListsEveryMismatch() throws IOException {
        Path file = dir.resolve("tiny.safetensors");
        try (NDManager nd = NDManager.newBaseManager()) {
            Tiny a = new Tiny(nd, 8);
            assertEquals(Map.of("proj.weight", new Shape(8, 4), "proj.bias", new Shape(8), "conv.weight",
                    new Shape(2, 3, 3, 3)).keySet(), a.stateDict().keySet());
            a.save(file);
            Tiny b = new Tiny(nd, 8);
            b.load(file, k -> false);
            assertArrayEquals(a.proj.weight().array().toFloatArray(), b.proj.weight().array().toFloatArray());

            Map<String, NDArray> wrong = new LinkedHashMap<>(a.stateDict());
            wrong.remove("conv.weight");
            wrong.put("extra.thing", nd.zeros(new Shape(1)));
            WeightMismatchException e = assertThrows(WeightMismatchException.class,
                    () -> new Tiny(nd, 5).load(wrong, "wrong.safetensors"));
            assertEquals(java.util.List.of("conv.weight"), e.missing());
            assertEquals(java.util.List.of("extra.thing"), e.unexpected());
            assertEquals(2, e.misShaped().size());
            assertTrue(e.getMessage().startsWith("wrong.safetensors does not fit the model"), e.getMessage());
        }
    }
}
