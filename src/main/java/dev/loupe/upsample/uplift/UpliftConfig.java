package dev.loupe.upsample.uplift;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.loupe.LoupeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * An UPLiFT configuration with the keys of the reference YAML files ({@code uplift_dinov2-s14.yaml}): a
 * {@code backbone} section, the {@code uplift} architecture and an optional {@code train} section. Loaded from
 * YAML or JSON; the shipped ones are named ({@link #named(String)}): {@code dinov2-s14}, {@code dinov3-splus16},
 * {@code sd15-vae}.
 */
public record UpliftConfig(String description, Backbone backbone, Architecture uplift, Train train) {

    /** The features UPLiFT upsamples: width, patch size, and what tells the image normalisation. */
    public record Backbone(int channel, int patch, int stride, String diffPipeName, String modelType) {
        /** How the image is normalised before the UPLiFT encoder (the reference's extractor transforms). */
        public ImageNorm imageNorm(boolean noUep) {
            if (diffPipeName != null) return noUep ? ImageNorm.UNIT : ImageNorm.SIGNED_UNIT;
            if (modelType != null && modelType.contains("dino")) return ImageNorm.IMAGENET;
            return ImageNorm.HALF;
        }
    }

    /** Image normalisations of the reference: ImageNet mean/std, (x-0.5)/0.5, none, or VAE's [-1,1]. */
    public enum ImageNorm { IMAGENET, HALF, UNIT, SIGNED_UNIT }

    /**
     * The {@code uplift} section. {@code attender} is the Local Attender neighbourhood size, or -1 for none (then the
     * decoder ends in a 1x1 conv to the feature width).
     */
    public record Architecture(int upFactor, int attender, boolean encShare, boolean noUep, Encoder encoder,
            Decoder decoder, Refiner refiner) {}

    /** A group of {@code count} blocks of one kind with widths {@code hc}. */
    public record BlockGroup(String block, String norm, int count, List<Integer> hc, boolean residual, int stride,
            boolean oneBy) {
        public int outChannels(int in) {
            return count < 1 ? in : hc.get(count - 1);
        }
    }

    /** {@code down_op}: conv, max or none; {@code residual}: bilinear or none. */
    public record Down(String downOp, double factor, String residual) {}

    /** {@code up_op}: tconv or none; {@code residual}: bilinear or none. */
    public record Up(String upOp, int factor, String residual) {}

    /** {@code blocks.get(i)} is {@code block_i}; {@code downs.get(i-1)} is {@code down_i}. */
    public record Encoder(int downSteps, List<BlockGroup> blocks, List<Down> downs) {}

    /** {@code blocks.get(i)} is {@code block_i}; {@code ups.get(i-1)} is {@code up_i}. */
    public record Decoder(int upSteps, int ncatC, double ncatS, String encResample, List<BlockGroup> blocks, List<Up> ups,
            boolean residualOutc) {}

    /** The optional post-attender refiner (SD-VAE variant). {@code refCon} indexes the encoder outputs (negative from the end). */
    public record Refiner(String encResample, int ncatC, double ncatS, int refCon, BlockGroup block0) {}

    /** The {@code train} section (defaults: the DINOv2 recipe). */
    public record Train(int imsize, String loss, double lr, int epochs, int saveEvery, int batchSize, int keepN,
            int downSteps, boolean onlyDeepest, boolean multiStep, double latAug) {
        public static Train defaults() {
            return new Train(448, "l2", 1e-3, 1, 1, 32, -1, 3, false, true, 0);
        }
    }

    /** The same architecture and training section for features of {@code channels} at patch {@code patch}. */
    public UpliftConfig forBackbone(int channels, int patch, String modelType, String newDescription) {
        return new UpliftConfig(newDescription, new Backbone(channels, patch, patch, backbone.diffPipeName(), modelType), uplift, train);
    }

    public ImageNorm imageNorm() {
        return backbone.imageNorm(uplift.noUep());
    }

    /** The shipped configuration sized for Loupe's sample ViT (128 channels, patch 16). */
    public static final String SAMPLE_VIT = "sample-vit16";

    /** Names of the configurations shipped with Loupe. */
    public static final List<String> NAMES = List.of("dinov2-s14", "dinov3-splus16", "sd15-vae", SAMPLE_VIT);

    /** A shipped configuration by name, or a YAML/JSON file by path. */
    public static UpliftConfig load(String nameOrFile) {
        if (NAMES.contains(nameOrFile)) return named(nameOrFile);
        Path file = Path.of(nameOrFile);
        if (!Files.exists(file)) {
            throw new LoupeException("no UPLiFT configuration named '" + nameOrFile + "' (shipped: "
                    + String.join(", ", NAMES) + ") and no such file");
        }
        return read(file);
    }

    public static UpliftConfig named(String name) {
        String resource = "configs/" + name + ".yaml";
        try (InputStream in = UpliftConfig.class.getResourceAsStream(resource)) {
            if (in == null) throw new LoupeException("no UPLiFT configuration named '" + name + "' (shipped: " + String.join(", ", NAMES) + ")");
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
        } catch (IOException e) {
            throw new LoupeException("cannot read the shipped configuration " + name + ": " + e.getMessage(), e);
        }
    }

    public static UpliftConfig read(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new LoupeException(file + ": no such file");
        } catch (IOException e) {
            throw new LoupeException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** Parses YAML or JSON text (JSON is tried first when the text starts with '{'). */
    public static UpliftConfig parse(String text, String source) {
        Object root;
        String trimmed = text.stripLeading();
        try {
            if (trimmed.startsWith("{")) {
                root = new Gson().fromJson(JsonParser.parseString(text), Object.class);
            } else {
                root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
            }
        } catch (JsonParseException | YAMLException e) {
            String why = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw new LoupeException(source + " is not valid YAML or JSON (" + why + ")");
        }
        if (!(root instanceof Map<?, ?> map)) throw new LoupeException(source + " is not an UPLiFT configuration (expected a mapping at the top)");
        return new Reader(source).config(map);
    }

    /** The configuration as JSON with the reference's keys (for model cards and checkpoints). */
    public String toJson() {
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(toMap());
    }

    public JsonElement toJsonTree() {
        return new Gson().toJsonTree(toMap());
    }

    public Map<String, Object> toMap() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("description", description);
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("channel", backbone.channel());
        b.put("patch", backbone.patch());
        b.put("stride", backbone.stride());
        b.put("diff_pipe_name", backbone.diffPipeName());
        b.put("model_type", backbone.modelType());
        root.put("backbone", b);
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("up_factor", uplift.upFactor());
        if (uplift.noUep()) u.put("no_UEP", true);
        u.put("attender", uplift.attender());
        u.put("enc_share", uplift.encShare());
        Map<String, Object> enc = new LinkedHashMap<>();
        enc.put("down_steps", uplift.encoder().downSteps());
        for (int i = 0; i < uplift.encoder().blocks().size(); i++) {
            if (i > 0) {
                Down d = uplift.encoder().downs().get(i - 1);
                enc.put("down_" + i, resampling("down_op", d.downOp(), d.factor(), d.residual()));
            }
            enc.put("block_" + i, group(uplift.encoder().blocks().get(i)));
        }
        u.put("encoder", enc);
        Decoder d = uplift.decoder();
        Map<String, Object> dec = new LinkedHashMap<>();
        dec.put("up_steps", d.upSteps());
        dec.put("ncat_c", d.ncatC());
        dec.put("ncat_s", d.ncatS());
        dec.put("enc_resample", d.encResample());
        if (!d.residualOutc()) dec.put("residual_outc", false);
        for (int i = 0; i < d.blocks().size(); i++) {
            if (i > 0) {
                Up up = d.ups().get(i - 1);
                dec.put("up_" + i, resampling("up_op", up.upOp(), up.factor(), up.residual()));
            }
            dec.put("block_" + i, group(d.blocks().get(i)));
        }
        u.put("decoder", dec);
        if (uplift.refiner() != null) {
            Refiner r = uplift.refiner();
            Map<String, Object> ref = new LinkedHashMap<>();
            ref.put("enc_resample", r.encResample());
            ref.put("ncat_c", r.ncatC());
            ref.put("ncat_s", r.ncatS());
            ref.put("ref_con", r.refCon());
            ref.put("block_0", group(r.block0()));
            u.put("refiner", ref);
        }
        root.put("uplift", u);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("imsize", train.imsize());
        t.put("loss", train.loss());
        t.put("lr", train.lr());
        t.put("epochs", train.epochs());
        t.put("save_every", train.saveEvery());
        t.put("batch_size", train.batchSize());
        t.put("keep_n", train.keepN());
        t.put("down_steps", train.downSteps());
        t.put("only_deepest", train.onlyDeepest());
        t.put("multi_step", train.multiStep());
        t.put("lat_aug", train.latAug());
        root.put("train", t);
        return root;
    }

    private static Map<String, Object> group(BlockGroup g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("block", g.block());
        m.put("norm", g.norm());
        m.put("count", g.count());
        m.put("hc", g.hc());
        if (!g.residual()) m.put("residual", false);
        if (g.stride() != 1) m.put("stride", g.stride());
        if (!g.oneBy()) m.put("one_by", false);
        return m;
    }

    /** A {@code down_i} or {@code up_i} section. */
    private static Map<String, Object> resampling(String opKey, String op, Number factor, String residual) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(opKey, op);
        m.put("factor", factor);
        m.put("residual", residual);
        return m;
    }

    /** Builds the records from a parsed tree; every problem names the file and the dotted key. */
    private static final class Reader {
        private final String source;

        Reader(String source) {
            this.source = source;
        }

        UpliftConfig config(Map<?, ?> root) {
            String description = optString(root, "description", "", "");
            Map<?, ?> b = map(root, "backbone", "");
            Backbone backbone = new Backbone(integer(b, "channel", "backbone."), integer(b, "patch", "backbone."),
                    optInt(b, "stride", "backbone.", integer(b, "patch", "backbone.")),
                    optString(b, "diff_pipe_name", "backbone.", null), optString(b, "model_type", "backbone.", null));
            positive(backbone.channel(), "backbone.channel");
            positive(backbone.patch(), "backbone.patch");
            Map<?, ?> u = map(root, "uplift", "");
            int upFactor = optInt(u, "up_factor", "uplift.", 2);
            int attender = optInt(u, "attender", "uplift.", -1);
            if (attender != -1 && !LocalAttender.SIZES.contains(attender)) {
                throw bad("uplift.attender is " + attender + "; the Local Attender takes 5, 9, 13, 17 or 25 neighbours (or -1 for none)");
            }
            Encoder encoder = encoder(map(u, "encoder", "uplift."));
            Decoder decoder = decoder(map(u, "decoder", "uplift."), encoder);
            Refiner refiner = u.containsKey("refiner") && u.get("refiner") != null
                    ? refiner(map(u, "refiner", "uplift."), decoder) : null;
            Architecture arch = new Architecture(upFactor, attender, optBool(u, "enc_share", "uplift.", false),
                    optBool(u, "no_UEP", "uplift.", false), encoder, decoder, refiner);
            Train train = Train.defaults();
            if (root.get("train") instanceof Map<?, ?> t) {
                Train d = train;
                train = new Train(optInt(t, "imsize", "train.", d.imsize()), optString(t, "loss", "train.", d.loss()),
                        optDouble(t, "lr", "train.", d.lr()), optInt(t, "epochs", "train.", d.epochs()),
                        optInt(t, "save_every", "train.", d.saveEvery()), optInt(t, "batch_size", "train.", d.batchSize()),
                        optInt(t, "keep_n", "train.", d.keepN()), optInt(t, "down_steps", "train.", d.downSteps()),
                        optBool(t, "only_deepest", "train.", d.onlyDeepest()), optBool(t, "multi_step", "train.", d.multiStep()),
                        optDouble(t, "lat_aug", "train.", d.latAug()));
            }
            return new UpliftConfig(description, backbone, arch, train);
        }

        Encoder encoder(Map<?, ?> e) {
            int steps = integer(e, "down_steps", "uplift.encoder.");
            if (steps < 0 || steps > 4) throw bad("uplift.encoder.down_steps is " + steps + "; it must be 0 to 4");
            List<BlockGroup> blocks = new ArrayList<>();
            List<Down> downs = new ArrayList<>();
            for (int i = 0; i <= steps; i++) {
                if (i > 0) {
                    String p = "uplift.encoder.down_" + i + ".";
                    Map<?, ?> d = map(e, "down_" + i, "uplift.encoder.");
                    String op = choice(d, "down_op", p, List.of("conv", "max", "none"));
                    double factor = optDouble(d, "factor", p, 0.5);
                    String residual = op.equals("none") ? "none" : choice(d, "residual", p, List.of("bilinear", "none"));
                    if (op.equals("conv") && Math.abs(1 / factor - Math.rint(1 / factor)) > 1e-9) {
                        throw bad(p + "factor is " + factor + "; a conv down block needs 1/integer");
                    }
                    downs.add(new Down(op, factor, residual));
                }
                blocks.add(group(map(e, "block_" + i, "uplift.encoder."), "uplift.encoder.block_" + i + "."));
            }
            return new Encoder(steps, blocks, downs);
        }

        Decoder decoder(Map<?, ?> d, Encoder encoder) {
            String p = "uplift.decoder.";
            int steps = integer(d, "up_steps", p);
            if (steps < 0 || steps > 4) throw bad(p + "up_steps is " + steps + "; it must be 0 to 4");
            if (steps > encoder.downSteps()) {
                throw bad(p + "up_steps is " + steps + " but the encoder makes only " + (encoder.downSteps() + 1) + " outputs");
            }
            List<BlockGroup> blocks = new ArrayList<>();
            List<Up> ups = new ArrayList<>();
            for (int i = 0; i <= steps; i++) {
                if (i > 0) {
                    String q = p + "up_" + i + ".";
                    Map<?, ?> u = map(d, "up_" + i, p);
                    String op = choice(u, "up_op", q, List.of("tconv", "none"));
                    int factor = optInt(u, "factor", q, 2);
                    String residual = op.equals("none") ? "none" : choice(u, "residual", q, List.of("bilinear", "none"));
                    ups.add(new Up(op, factor, residual));
                }
                blocks.add(group(map(d, "block_" + i, p), p + "block_" + i + "."));
            }
            String resample = optString(d, "enc_resample", p, "none");
            if (!List.of("none", "nearest", "bilinear").contains(resample)) {
                throw bad(p + "enc_resample is '" + resample + "'; expected none, nearest or bilinear");
            }
            return new Decoder(steps, optInt(d, "ncat_c", p, 0), optDouble(d, "ncat_s", p, 1), resample, blocks, ups,
                    optBool(d, "residual_outc", p, true));
        }

        Refiner refiner(Map<?, ?> r, Decoder decoder) {
            String p = "uplift.refiner.";
            int refCon = optInt(r, "ref_con", p, -1 - decoder.upSteps());
            return new Refiner(optString(r, "enc_resample", p, "none"), optInt(r, "ncat_c", p, 0), optDouble(r, "ncat_s", p, 1),
                    refCon, group(map(r, "block_0", p), p + "block_0."));
        }

        BlockGroup group(Map<?, ?> g, String p) {
            String block = choice(g, "block", p, List.of("IdentityBlock", "SingleConv", "DoubleConv", "TransposeConv"));
            int count = integer(g, "count", p);
            List<Integer> hc = new ArrayList<>();
            Object raw = g.get("hc");
            if (raw instanceof List<?> list) {
                for (Object o : list) {
                    if (!(o instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.intValue() < 1) {
                        throw bad(p + "hc must be a list of positive integers, found " + o);
                    }
                    hc.add(n.intValue());
                }
            } else if (count > 0) {
                throw bad(p + "hc is missing (a list of " + count + " channel widths)");
            }
            if (hc.size() < count) throw bad(p + "hc lists " + hc.size() + " widths but count is " + count);
            String norm = optString(g, "norm", p, "batch");
            if (!norm.equals("batch") && !norm.equals("layer")) throw bad(p + "norm is '" + norm + "'; expected batch or layer");
            int stride = optInt(g, "stride", p, 1);
            if (stride != 1 && stride != 2) throw bad(p + "stride is " + stride + "; expected 1 or 2");
            return new BlockGroup(block, norm, count, List.copyOf(hc.subList(0, Math.max(count, 0))),
                    optBool(g, "residual", p, true), stride, optBool(g, "one_by", p, true));
        }

        private Map<?, ?> map(Map<?, ?> m, String key, String prefix) {
            Object v = m.get(key);
            if (v == null) throw bad(prefix + key + " is missing");
            if (!(v instanceof Map<?, ?> r)) throw bad(prefix + key + " must be a section (a mapping), found " + v);
            return r;
        }

        private int integer(Map<?, ?> m, String key, String prefix) {
            Object v = m.get(key);
            if (v == null) throw bad(prefix + key + " is missing");
            return asInt(v, prefix + key);
        }

        private int asInt(Object v, String key) {
            if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) return n.intValue();
            throw bad(key + " must be an integer, found " + v);
        }

        private int optInt(Map<?, ?> m, String key, String prefix, int dflt) {
            Object v = m.get(key);
            return v == null ? dflt : asInt(v, prefix + key);
        }

        private double optDouble(Map<?, ?> m, String key, String prefix, double dflt) {
            Object v = m.get(key);
            if (v == null) return dflt;
            if (v instanceof Number n) return n.doubleValue();
            throw bad(prefix + key + " must be a number, found " + v);
        }

        private boolean optBool(Map<?, ?> m, String key, String prefix, boolean dflt) {
            Object v = m.get(key);
            if (v == null) return dflt;
            if (v instanceof Boolean b) return b;
            throw bad(prefix + key + " must be true or false, found " + v);
        }

        private String optString(Map<?, ?> m, String key, String prefix, String dflt) {
            Object v = m.get(key);
            if (v == null) return dflt;
            if (v instanceof String s) return s;
            throw bad(prefix + key + " must be text, found " + v);
        }

        private String choice(Map<?, ?> m, String key, String prefix, List<String> allowed) {
            Object v = m.get(key);
            if (v == null) throw bad(prefix + key + " is missing (one of " + String.join(", ", allowed) + ")");
            if (!(v instanceof String s) || !allowed.contains(s)) {
                throw bad(prefix + key + " is '" + v + "'; expected one of " + String.join(", ", allowed));
            }
            return s;
        }

        private void positive(int v, String key) {
            if (v < 1) throw bad(key + " must be positive, found " + v);
        }

        private LoupeException bad(String what) {
            return new LoupeException(source + ": " + what);
        }
    }
}
