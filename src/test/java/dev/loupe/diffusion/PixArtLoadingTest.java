package dev.loupe.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.loupe.LoupeException;
import dev.loupe.tensor.SafeTensors;
import dev.loupe.tensor.WeightMismatchException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PixArtLoadingTest {
    @TempDir Path dir;

    @Test
    void theModelHasExactlyDiffusersKeys() throws Exception {
        try (NDManager nd = NDManager.newBaseManager()) {
            PixArtTransformer model = new PixArtTransformer(nd, PixArtFixture.config());
            Map<String, Shape> reference = SafeTensors.describe(PixArtFixture.weights()).entrySet().stream()
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().shape()));
            Map<String, Shape> mine = new LinkedHashMap<>();
            model.stateDict().forEach((k, v) -> mine.put(k, v.getShape()));
            assertEquals(reference, mine);
        }
    }

    @Test
    void float16WeightsAreWidenedToFloat32() throws Exception {
        Path file = dir.resolve("half.safetensors");
        try (NDManager nd = NDManager.newBaseManager()) {
            Map<String, NDArray> original = SafeTensors.read(PixArtFixture.weights(), nd);
            Map<String, NDArray> halved = new LinkedHashMap<>();
            original.forEach((k, v) -> halved.put(k, v.toType(DataType.FLOAT16, true)));
            SafeTensors.write(file, halved);
            PixArtTransformer model = PixArtTransformer.load(nd, PixArtFixture.config(), file);
            model.stateDict().forEach((k, v) -> {
                assertEquals(DataType.FLOAT32, v.getDataType(), k);
                assertTrue(v.contentEquals(halved.get(k).toType(DataType.FLOAT32, true)), k);
                assertTrue(original.get(k).sub(v).abs().max().getFloat() < 2e-3f, k);
            });
        }
    }

    /** bfloat16 checkpoints (common for PixArt-Σ and FLUX) load; the engine itself cannot hold bfloat16. */
    @Test
    void bfloat16WeightsAreWidenedToFloat32() throws Exception {
        Path file = dir.resolve("bf16.safetensors");
        try (NDManager nd = NDManager.newBaseManager()) {
            Map<String, NDArray> original = SafeTensors.read(PixArtFixture.weights(), nd);
            Map<String, float[]> truncated = new LinkedHashMap<>();
            StringBuilder header = new StringBuilder("{");
            java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
            for (Map.Entry<String, NDArray> e : original.entrySet()) {
                float[] values = e.getValue().toFloatArray();
                float[] kept = new float[values.length];
                long begin = data.size();
                for (int i = 0; i < values.length; i++) {
                    int top = Float.floatToRawIntBits(values[i]) >>> 16;
                    kept[i] = Float.intBitsToFloat(top << 16);
                    data.write(top & 0xFF);
                    data.write(top >>> 8);
                }
                truncated.put(e.getKey(), kept);
                header.append(header.length() > 1 ? "," : "").append('"').append(e.getKey()).append("\":{\"dtype\":\"BF16\",\"shape\":")
                        .append(java.util.Arrays.toString(e.getValue().getShape().getShape())).append(",\"data_offsets\":[")
                        .append(begin).append(',').append(data.size()).append("]}");
            }
            byte[] json = header.append('}').toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            java.nio.ByteBuffer length = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(json.length);
            try (var out = Files.newOutputStream(file)) {
                out.write(length.array());
                out.write(json);
                data.writeTo(out);
            }
            PixArtTransformer model = PixArtTransformer.load(nd, PixArtFixture.config(), file);
            model.stateDict().forEach((k, v) -> {
                assertEquals(DataType.FLOAT32, v.getDataType(), k);
                org.junit.jupiter.api.Assertions.assertArrayEquals(truncated.get(k), v.toFloatArray(), k);
            });
        }
    }

    @Test
    void shardedCheckpointsLoadFromTheIndexOrTheirFolder() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("transformer"));
        try (NDManager nd = NDManager.newBaseManager()) {
            Map<String, NDArray> all = SafeTensors.read(PixArtFixture.weights(), nd);
            Map<String, NDArray> first = new LinkedHashMap<>();
            Map<String, NDArray> second = new LinkedHashMap<>();
            StringBuilder map = new StringBuilder();
            int i = 0;
            for (Map.Entry<String, NDArray> e : all.entrySet()) {
                boolean one = i++ % 2 == 0;
                (one ? first : second).put(e.getKey(), e.getValue());
                String shard = "diffusion_pytorch_model-0000" + (one ? 1 : 2) + "-of-00002.safetensors";
                map.append(map.length() == 0 ? "" : ",").append('"').append(e.getKey()).append("\":\"").append(shard).append('"');
            }
            SafeTensors.write(folder.resolve("diffusion_pytorch_model-00001-of-00002.safetensors"), first);
            SafeTensors.write(folder.resolve("diffusion_pytorch_model-00002-of-00002.safetensors"), second);
            Path index = folder.resolve("diffusion_pytorch_model.safetensors.index.json");
            Files.writeString(index, "{\"metadata\": {\"total_size\": 1}, \"weight_map\": {" + map + "}}");
            for (Path source : new Path[] {index, folder}) {
                PixArtTransformer model = PixArtTransformer.load(nd, PixArtFixture.config(), source);
                model.stateDict().forEach((k, v) -> assertTrue(v.contentEquals(all.get(k)), k));
            }
            Files.delete(folder.resolve("diffusion_pytorch_model-00002-of-00002.safetensors"));
            LoupeException e = assertThrows(LoupeException.class,
                    () -> PixArtTransformer.load(nd, PixArtFixture.config(), index));
            assertTrue(e.getMessage().contains("names shard diffusion_pytorch_model-00002-of-00002.safetensors"), e.getMessage());
        }
    }

    @Test
    void mismatchedWeightsAreListedAndLeaveTheModelUntouched() throws Exception {
        Path file = dir.resolve("bad.safetensors");
        try (NDManager nd = NDManager.newBaseManager()) {
            Map<String, NDArray> weights = SafeTensors.read(PixArtFixture.weights(), nd);
            weights.remove("transformer_blocks.1.attn2.to_k.weight");
            weights.put("transformer_blocks.1.attn2.norm_k.weight", nd.ones(new Shape(32)));
            weights.put("proj_out.weight", nd.ones(new Shape(16, 32)));
            SafeTensors.write(file, weights);
            PixArtTransformer model = new PixArtTransformer(nd, PixArtFixture.config());
            float before = model.stateDict().get("pos_embed.proj.weight").sum().getFloat();
            WeightMismatchException e = assertThrows(WeightMismatchException.class, () -> model.load(file));
            assertEquals(java.util.List.of("transformer_blocks.1.attn2.to_k.weight"), e.missing());
            assertEquals(java.util.List.of("transformer_blocks.1.attn2.norm_k.weight"), e.unexpected());
            assertEquals(1, e.misShaped().size());
            assertTrue(e.misShaped().get(0).startsWith("proj_out.weight (16, 32)"), e.misShaped().get(0));
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            assertEquals(before, model.stateDict().get("pos_embed.proj.weight").sum().getFloat());
        }
    }
}
