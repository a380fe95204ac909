package io.quiver.engine.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.engine.index.PayloadFieldSchema;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The text analyzer against the token lists Qdrant's own tokenizer tests expect (prefix, ASCII folding, stop words,
 * Snowball stemming, length limits), built from {@code field_schema} params as a client sends them.
 */
class TextAnalyzerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static TextAnalyzer analyzer(String params) throws Exception {
        return PayloadFieldSchema.parse(JSON.readTree("{\"type\":\"text\"," + params + "}")).analyzerOrNull();
    }

    @Test
    void prefixIndexesEveryPrefixWithinTheLengthsAndCutsQueriesToTheLongest() throws Exception {
        TextAnalyzer a = analyzer("\"tokenizer\":\"prefix\",\"min_token_len\":1,\"max_token_len\":4");
        assertEquals(List.of("h", "he", "hel", "hell", "м", "ми", "мир"), a.tokenizeDoc("hello, мир!"));
        assertEquals(List.of("hell", "мир"), a.tokenizeQuery("hello, мир!"));

        TextAnalyzer unlimited = analyzer("\"tokenizer\":\"prefix\"");
        assertEquals(List.of("r", "ro", "rob", "robo", "robot", "d", "dr", "dre", "drea", "dream", "dreams"),
                unlimited.tokenizeDoc("Robot Dreams"));
        assertEquals(List.of("robo"), unlimited.tokenizeQuery("ROBO"), "a query word is not expanded");

        TextAnalyzer min3 = analyzer("\"tokenizer\":\"prefix\",\"min_token_len\":3");
        assertEquals(List.of("cat", "cats"), min3.tokenizeDoc("a cats ox"), "words under min are not indexed");
        assertEquals(List.of("cat"), min3.tokenizeQuery("ca cat"), "query words under min are dropped");
    }

    @Test
    void prefixQueriesIgnoreStopwordsSoAPartialWordStillMatches() throws Exception {
        TextAnalyzer a = analyzer("\"tokenizer\":\"prefix\",\"stopwords\":{\"custom\":[\"the\"]}");
        assertEquals(List.of("t", "th", "the", "theo", "theor", "theory"), a.tokenizeDoc("the theory"));
        assertEquals(List.of("the"), a.tokenizeQuery("the"));
        TextAnalyzer word = analyzer("\"stopwords\":{\"custom\":[\"the\"]}");
        assertEquals(List.of(), word.tokenizeQuery("the"));
    }

    @Test
    void asciiFoldingFoldsBeforeLowerCasing() throws Exception {
        String text = "ação café jalapeño Über";
        assertEquals(List.of("ação", "café", "jalapeño", "über"), analyzer("\"ascii_folding\":false").tokenizeDoc(text));
        assertEquals(List.of("acao", "cafe", "jalapeno", "uber"), analyzer("\"ascii_folding\":true").tokenizeDoc(text));
        assertEquals(List.of("a", "ac", "aca", "acao"),
                analyzer("\"tokenizer\":\"prefix\",\"max_token_len\":4,\"ascii_folding\":true").tokenizeDoc("ação"));
        assertEquals("AEsop and OEuvre", TextAnalyzer.fold("Æsop and Œuvre"));
        assertEquals("strasse", TextAnalyzer.fold("straße"));
        assertEquals("Lodz", TextAnalyzer.fold("Łódź"));
        assertEquals("\"quote\" - test 123.", TextAnalyzer.fold("“quote” — test １②⒊"));
        String japanese = "日本語のテキストです。Qdrantのコードで単体テストで使用されています。";
        assertEquals(japanese, TextAnalyzer.fold(japanese));
        assertEquals(List.of("aesop", "oeuvre", "strasse"),
                analyzer("\"ascii_folding\":true,\"stopwords\":{\"custom\":[\"AND\"]}")
                        .tokenizeDoc("Æsop and Œuvre, straße"));
    }

    @Test
    void customStopwordsFollowLowercase() throws Exception {
        String text = "The quick brown fox jumps over the lazy dog as a test";
        assertEquals(List.of("quick", "brown", "fox", "jumps", "over", "lazy", "dog", "test"),
                analyzer("\"stopwords\":{\"custom\":[\"as\",\"The\",\"a\"]}").tokenizeDoc(text));
        assertEquals(List.of("quick", "brown", "fox", "jumps", "over", "lazy", "dog", "as", "a", "test"),
                analyzer("\"lowercase\":false,\"stopwords\":{\"custom\":[\"the\",\"The\",\"LAZY\"]}")
                        .tokenizeDoc(text));
        assertEquals(List.of("quick", "fox"),
                analyzer("\"stopwords\":{\"languages\":[],\"custom\":[\"brown\"]}").tokenizeDoc("quick brown fox"));
    }

    @Test
    void snowballStemsEveryTokenizerAndLengthsCountTheStem() throws Exception {
        String text = "interestingly proceeding living";
        String english = "\"stemmer\":{\"type\":\"snowball\",\"language\":\"english\"}";
        assertEquals(List.of("interest", "proceed", "live"), analyzer(english).tokenizeDoc(text));
        assertEquals(List.of("interest", "proceed", "live"),
                analyzer("\"tokenizer\":\"whitespace\"," + english).tokenizeDoc(text));
        assertEquals(List.of("int", "inte", "pro", "proc", "liv", "live"),
                analyzer("\"tokenizer\":\"prefix\",\"min_token_len\":3,\"max_token_len\":4," + english)
                        .tokenizeDoc(text));
        assertEquals(List.of("live"), analyzer("\"max_token_len\":4," + english).tokenizeDoc(text));
        assertEquals(List.of("proceed"), analyzer(english).tokenizeQuery("PROCEEDS"));
    }

    @Test
    void wordsAreUnicodeAlphanumericRunsAndWhitespaceIsUnicodeWhiteSpace() throws Exception {
        assertEquals(List.of("x²", "½", "ⅻ", "c3po"), TextAnalyzer.DEFAULT.tokenizeDoc("x² + ½ = Ⅻ; C3PO"));
        TextAnalyzer ws = analyzer("\"tokenizer\":\"whitespace\"");
        assertEquals(List.of("a", "b", "c", "d"), ws.tokenizeDoc("a\u00A0b\u202Fc\u3000d"));
        assertEquals(List.of("a\u001Fb"), ws.tokenizeDoc("a\u001Fb"));
        assertTrue(TextAnalyzer.isAlphanumeric('Ⅻ'));
        assertFalse(TextAnalyzer.isAlphanumeric('-'));
    }

    @Test
    void lengthLimitsCountCodePoints() throws Exception {
        TextAnalyzer a = analyzer("\"min_token_len\":2,\"max_token_len\":3");
        assertEquals(List.of("𝒳𝒴", "abc"), a.tokenizeDoc("𝒳 𝒳𝒴 abc abcd"));
        assertEquals(List.of(), analyzer("\"max_token_len\":0").tokenizeDoc("a bc"));
    }
}
