package dev.loupe.diffusion.cache;

/** The three cacheable sub-modules of a PixArt block, with their names in ECAD's schedule files. */
public enum Component {
    ATTN1("attn1"),
    ATTN2("attn2"),
    FF("ff");

    private final String key;

    Component(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    public static Component ofKey(String key) {
        for (Component c : values()) {
            if (c.key.equals(key)) return c;
        }
        throw new IllegalArgumentException("unknown component: " + key);
    }
}
