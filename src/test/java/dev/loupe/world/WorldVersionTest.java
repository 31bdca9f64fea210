package dev.loupe.world;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Sample models are trained on the scenes of {@link ShapesWorld#VERSION}: a change that moves a single pixel of a
 * single scene must bump the version (and retrain or re-check those models), not pass silently. The digest covers
 * descriptions, images and masks of 16 seeds at two sizes.
 */
class WorldVersionTest {
    private static final String VERSION_1_DIGEST = "ab1ed7aa0cc426b1849effa0422961dfc2619e2d0aa07907602eb75428ecace7";

    @Test
    void scenesOfThisVersionAreUnchanged() throws NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (long seed = 0; seed < 16; seed++) {
            SceneSpec scene = ShapesWorld.scene(seed);
            sha.update(SceneJson.toJson(scene).toString().getBytes(StandardCharsets.UTF_8));
            for (int size : new int[] {37, 96}) {
                RenderedScene r = Rasteriser.render(scene, size);
                sha.update(r.rgb());
                sha.update(r.classMask());
                sha.update(r.instanceMask());
            }
        }
        assertEquals(1, ShapesWorld.VERSION);
        assertEquals(VERSION_1_DIGEST, HexFormat.of().formatHex(sha.digest()),
                "ShapesWorld renders differently: bump ShapesWorld.VERSION, note it in the sample models, update the digest");
    }
}
