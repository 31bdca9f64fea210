package dev.loupe.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.loupe.LoupeException;
import dev.loupe.world.CaptionException;
import dev.loupe.world.Vocabulary;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptEncoderTest {
    static final PromptEncoderConfig CONFIG = PromptEncoderConfig.of(16, 2, 2, 8);

    @Test
    void tokensAreTheStartTokenThenTheWordsThenPadding() {
        try (NDManager nd = NDManager.newBaseManager()) {
            PromptEncoder encoder = new PromptEncoder(nd, CONFIG);
            PromptEncoder.Tokens t = encoder.tokenize(List.of("A red circle.", PromptEncoder.EMPTY));
            assertEquals(2, t.count());
            assertEquals(8, t.length());
            int red = PromptEncoder.FIRST_WORD + Vocabulary.id("red");
            int circle = PromptEncoder.FIRST_WORD + Vocabulary.id("circle");
            int a = PromptEncoder.FIRST_WORD + Vocabulary.id("a");
            assertArrayEquals(new int[] {PromptEncoder.START, a, red, circle, 0, 0, 0, 0, PromptEncoder.START, 0, 0, 0, 0, 0, 0, 0},
                    t.ids());
            assertArrayEquals(new float[] {1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, t.mask());
        }
    }

    @Test
    void encodesToOneEmbeddingPerTokenWithItsMask() {
        try (NDManager nd = NDManager.newBaseManager()) {
            PromptEncoder encoder = new PromptEncoder(nd, CONFIG);
            PromptEncoder.Encoded e = encoder.encode(nd, List.of("a blue star and a red ring", "", "a red ring"));
            assertEquals(new Shape(3, 8, 16), e.embeddings().getShape());
            assertEquals(new Shape(3, 8), e.mask().getShape());
            assertEquals(8 + 1 + 4, (int) e.mask().sum().getFloat());
            assertTrue(Float.isFinite(e.embeddings().abs().sum().getFloat()));
        }
    }

    @Test
    void aPromptEncodesAloneAsInABatchAndPaddingDoesNotLeakIntoWords() {
        try (NDManager nd = NDManager.newBaseManager()) {
            PromptEncoder encoder = new PromptEncoder(nd, CONFIG);
            NDArray alone = encoder.encode(nd, List.of("a red ring")).embeddings();
            NDArray batched = encoder.encode(nd, List.of("a green square and a red star", "a red ring")).embeddings().get(1);
            // the four real tokens see only each other: the padding behind them changes nothing
            assertTrue(alone.get(0).get(":4").sub(batched.get(":4")).abs().max().getFloat() < 1e-5f);
            NDArray other = encoder.encode(nd, List.of("a red star")).embeddings();
            assertNotEquals(0f, alone.sub(other).abs().max().getFloat());
        }
    }

    @Test
    void unknownWordsAndBadGrammarNameTheWord() {
        try (NDManager nd = NDManager.newBaseManager()) {
            PromptEncoder encoder = new PromptEncoder(nd, CONFIG);
            CaptionException unknown = assertThrows(CaptionException.class, () -> encoder.tokenize(List.of("a red cirle")));
            assertTrue(unknown.getMessage().contains("\"cirle\""), unknown.getMessage());
            assertTrue(unknown.getMessage().contains("circle"), "suggests the nearest word: " + unknown.getMessage());
            CaptionException grammar = assertThrows(CaptionException.class, () -> encoder.tokenize(List.of("red circle")));
            assertEquals(1, grammar.position());
        }
    }

    @Test
    void aPromptLongerThanTheEncoderReadsIsRefused() {
        try (NDManager nd = NDManager.newBaseManager()) {
            PromptEncoder encoder = new PromptEncoder(nd, CONFIG);
            LoupeException e = assertThrows(LoupeException.class,
                    () -> encoder.tokenize(List.of("a red ring and a blue star and a green cross")));
            assertTrue(e.getMessage().contains("11 words") && e.getMessage().contains("at most 7"), e.getMessage());
        }
    }

    @Test
    void aModelForAnotherVocabularyIsRefused() {
        try (NDManager nd = NDManager.newBaseManager()) {
            PromptEncoderConfig other = new PromptEncoderConfig(16, 1, 2, 8, PromptEncoder.VOCABULARY_SIZE + 1);
            LoupeException e = assertThrows(LoupeException.class, () -> new PromptEncoder(nd, other));
            assertTrue(e.getMessage().contains("vocabulary"), e.getMessage());
        }
    }

    @Test
    void configRoundTripsThroughJson() {
        assertEquals(CONFIG, PromptEncoderConfig.fromJson(CONFIG.toJson(), "test"));
    }
}
