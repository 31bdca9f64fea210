package dev.loupe.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.loupe.LoupeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the safetensors format (8-byte little-endian header length, a JSON header of
 * {@code name -> {dtype, shape, data_offsets}}, then the raw little-endian data). Written by hand rather than
 * through {@code NDList.decode} so that a truncated or foreign file gets a message naming the file and the
 * problem, and so that the optional {@code __metadata__} entry is kept.
 */
public final class SafeTensors {
    private static final long MAX_HEADER = 100L << 20;
    private static final Gson GSON = new Gson();

    private SafeTensors() {}

    /** One tensor's entry in a file's header. */
    public record TensorInfo(String name, DataType type, Shape shape, long begin, long end) {}

    /**
     * Tensors in file order; the arrays belong to {@code manager}. bfloat16 tensors arrive as float32 (exactly:
     * a bfloat16 is the upper half of a float32), because DJL's PyTorch engine aborts the process when it is
     * asked to create a bfloat16 tensor.
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long dataStart = 8 + headerLength(ch, file);
            for (TensorInfo t : header(ch, file).values()) {
                long bytes = t.end() - t.begin();
                ByteBuffer data = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, data, dataStart + t.begin());
                data.flip();
                DataType type = t.type();
                if (type == DataType.BFLOAT16) {
                    data = widenBfloat16(data);
                    type = DataType.FLOAT32;
                }
                // DJL's PyTorch engine wraps a direct buffer without copying and without keeping it reachable, so a
                // tensor made that way would point at freed memory after the buffer's collection: copy it into
                // memory libtorch owns while the buffer is certainly alive.
                NDArray array;
                try (NDArray view = manager.create(data, t.shape(), type)) {
                    array = view.duplicate();
                } finally {
                    java.lang.ref.Reference.reachabilityFence(data);
                }
                array.setName(t.name());
                out.put(t.name(), array);
            }
        } catch (NoSuchFileException e) {
            throw new LoupeException(file + ": no such file");
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        return out;
    }

    private static ByteBuffer widenBfloat16(ByteBuffer half) {
        ByteBuffer wide = ByteBuffer.allocateDirect(half.remaining() * 2).order(ByteOrder.LITTLE_ENDIAN);
        while (half.hasRemaining()) wide.putInt((half.getShort() & 0xFFFF) << 16);
        return wide.flip();
    }

    /** The names, types and shapes in a file (checked against its size), without reading the data. */
    public static Map<String, TensorInfo> describe(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return header(ch, file);
        } catch (NoSuchFileException e) {
            throw new LoupeException(file + ": no such file");
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** The names and shapes in a file, from its header. */
    public static Map<String, Shape> shapes(Path file) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        describe(file).forEach((k, v) -> shapes.put(k, v.shape()));
        return shapes;
    }

    private static long headerLength(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        if (size < 8) throw bad(file, "is not a safetensors file (only " + size + " bytes)");
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, len, 0);
        long headerLength = len.flip().getLong();
        if (headerLength <= 1 || headerLength > MAX_HEADER || 8 + headerLength > size) {
            throw bad(file, "is not a safetensors file (header length " + headerLength + " does not fit a file of "
                    + size + " bytes)");
        }
        return headerLength;
    }

    private static Map<String, TensorInfo> header(FileChannel ch, Path file) throws IOException {
        long headerLength = headerLength(ch, file);
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(ch, headerBytes, 8);
        JsonObject header;
        try {
            header = JsonParser.parseString(new String(headerBytes.array(), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw bad(file, "is not a safetensors file (its header is not a JSON object)");
        }
        long dataSize = ch.size() - 8 - headerLength;
        Map<String, TensorInfo> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) continue;
            TensorInfo t = entry(file, e.getKey(), e.getValue());
            if (t.end() > dataSize) {
                throw bad(file, "is truncated: tensor '" + e.getKey() + "' needs bytes up to " + t.end()
                        + " of the data section but the file holds only " + dataSize);
            }
            long expected = t.shape().size() * t.type().getNumOfBytes();
            if (t.end() - t.begin() != expected) {
                throw bad(file, "is corrupt: tensor '" + e.getKey() + "' of shape " + t.shape() + " and type "
                        + t.type() + " should take " + expected + " bytes, not " + (t.end() - t.begin()));
            }
            out.put(e.getKey(), t);
        }
        return out;
    }

    /** Writes tensors in map order, atomically; arrays are written as they are (dtype and shape). */
    public static void write(Path file, Map<String, NDArray> tensors) throws IOException {
        JsonObject header = new JsonObject();
        long offset = 0;
        Map<String, byte[]> payload = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            byte[] bytes = toLittleEndianBytes(a);
            JsonObject t = new JsonObject();
            t.addProperty("dtype", code(a.getDataType(), e.getKey()));
            t.add("shape", GSON.toJsonTree(a.getShape().getShape()));
            t.add("data_offsets", GSON.toJsonTree(new long[] {offset, offset + bytes.length}));
            header.add(e.getKey(), t);
            payload.put(e.getKey(), bytes);
            offset += bytes.length;
        }
        byte[] json = GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        java.util.Arrays.fill(headerBytes, (byte) ' ');
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(headerBytes);
            for (byte[] b : payload.values()) out.write(b);
        });
    }

    private static byte[] toLittleEndianBytes(NDArray a) {
        ByteBuffer buf = a.toByteBuffer();
        // DJL hands out native-order buffers; safetensors is little-endian (as is every machine Loupe runs on).
        byte[] bytes = new byte[buf.remaining()];
        buf.get(bytes);
        return bytes;
    }

    private static TensorInfo entry(Path file, String name, JsonElement value) {
        try {
            JsonObject o = value.getAsJsonObject();
            DataType type = type(o.get("dtype").getAsString());
            if (type == null) throw bad(file, "holds tensor '" + name + "' of unsupported type " + o.get("dtype").getAsString());
            long[] shape = GSON.fromJson(o.get("shape"), long[].class);
            long[] offsets = GSON.fromJson(o.get("data_offsets"), long[].class);
            if (offsets.length != 2 || offsets[0] < 0 || offsets[1] < offsets[0]) {
                throw bad(file, "is corrupt: tensor '" + name + "' has invalid data offsets");
            }
            return new TensorInfo(name, type, new Shape(shape), offsets[0], offsets[1]);
        } catch (RuntimeException e) {
            if (e instanceof LoupeException le) throw le;
            throw bad(file, "is corrupt: the header entry for '" + name + "' is malformed");
        }
    }

    private static DataType type(String code) {
        return switch (code) {
            case "F32" -> DataType.FLOAT32;
            case "F64" -> DataType.FLOAT64;
            case "F16" -> DataType.FLOAT16;
            case "BF16" -> DataType.BFLOAT16;
            case "I64" -> DataType.INT64;
            case "I32" -> DataType.INT32;
            case "I8" -> DataType.INT8;
            case "U8" -> DataType.UINT8;
            case "BOOL" -> DataType.BOOLEAN;
            default -> null;
        };
    }

    private static String code(DataType type, String name) {
        return switch (type) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case FLOAT16 -> "F16";
            case BFLOAT16 -> "BF16";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case INT8 -> "I8";
            case UINT8 -> "U8";
            case BOOLEAN -> "BOOL";
            default -> throw new IllegalArgumentException("tensor '" + name + "' has a type safetensors cannot hold: " + type);
        };
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) throw new IOException("unexpected end of file");
            pos += n;
        }
    }

    private static LoupeException bad(Path file, String what) {
        return new LoupeException(file + " " + what);
    }

    /** True when the file starts like a safetensors file (used to tell weight files from other inputs). */
    public static boolean looksLike(Path file) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) < 10) return false;
            byte[] head = new byte[10];
            try (var in = Files.newInputStream(file)) {
                if (in.read(head) != 10) return false;
            }
            return head[8] == '{';
        } catch (IOException e) {
            return false;
        }
    }
}
