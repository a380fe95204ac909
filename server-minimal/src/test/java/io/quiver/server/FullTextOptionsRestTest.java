package io.quiver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Qdrant's text index options over a real socket, on titles from Qdrant's own full-text test: the {@code prefix}
 * tokenizer, {@code ascii_folding}, custom stop words and the Snowball stemmer change what {@code text},
 * {@code text_any} and {@code phrase} match (in scroll, count and search alike), show in {@code payload_schema} as
 * Qdrant reports them and survive a restart; the options Quiver lacks are a 400 that creates nothing.
 */
class FullTextOptionsRestTest extends RestServerTest {

    private static final List<String> TITLES = List.of("Little Lost Robot", "Robot AL-76 Goes Astray", "Robot Dreams",
            "Dreaming Is a Private Thing", "Pâté de Foie Gras", "The Feeling of Power", "Catch That Rabbit",
            "Living Space", "The Last Question", "Breeds There a Man...?");

    @BeforeEach
    void createTitles() {
        rest.ok("PUT", "/collections/c", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < TITLES.size(); i++) {
            points.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vector\":[1,").append(i)
                    .append("],\"payload\":{\"title\":\"").append(TITLES.get(i)).append("\"}}");
        }
        rest.ok("PUT", "/collections/c/points?wait=true", "{\"points\":[" + points + "]}");
    }

    private void index(String schema) {
        rest.ok("PUT", "/collections/c/index?wait=true", "{\"field_name\":\"title\",\"field_schema\":" + schema + "}");
    }

    private static String filter(String kind, String text) {
        return "{\"must\":[{\"key\":\"title\",\"match\":{\"" + kind + "\":\"" + text + "\"}}]}";
    }

    /** The ids matching, by scroll; count and search must agree. */
    private Set<Integer> matching(String kind, String text) {
        String f = filter(kind, text);
        Set<Integer> ids = new TreeSet<>();
        rest.ok("POST", "/collections/c/points/scroll", "{\"limit\":100,\"filter\":" + f + "}").get("points")
                .forEach(p -> ids.add(p.get("id").asInt()));
        assertEquals(ids.size(), rest.ok("POST", "/collections/c/points/count", "{\"exact\":true,\"filter\":" + f + "}")
                .get("count").asInt(), kind + " " + text);
        Set<Integer> found = new TreeSet<>();
        rest.ok("POST", "/collections/c/points/search", "{\"vector\":[1,1],\"limit\":100,\"filter\":" + f + "}")
                .forEach(p -> found.add(p.get("id").asInt()));
        assertEquals(ids, found, kind + " " + text);
        return ids;
    }

    private JsonNode titleSchema() {
        return rest.ok("GET", "/collections/c", null).at("/payload_schema/title");
    }

    @Test
    void prefixTokenizerMatchesWordBeginningsButQueriesAreNotExpanded() throws Exception {
        assertEquals(Set.of(), matching("text", "ROBO"), "unindexed text is a substring match");
        index("{\"type\":\"text\",\"tokenizer\":\"prefix\",\"phrase_matching\":true}");
        assertEquals(Set.of(0, 1, 2), matching("text", "ROBO"));
        assertEquals(Set.of(0, 1, 2), matching("text", "rob"));
        assertEquals(Set.of(2), matching("text", "robo dre"));
        assertEquals(Set.of(0, 1, 2, 4), matching("text_any", "robo pât"));
        assertEquals(Set.of(), matching("text", "robots"), "a longer query word is not cut to the stored word");
        assertEquals(Set.of(2), matching("phrase", "robot dreams"));
        assertEquals(Set.of(), matching("phrase", "robo dre"), "a phrase is tokenized as stored text");
        assertEquals(RestClient.JSON.readTree("{\"data_type\":\"text\",\"params\":{\"type\":\"text\","
                + "\"tokenizer\":\"prefix\",\"phrase_matching\":true},\"points\":10}"), titleSchema());
    }

    @Test
    void prefixLengthsBoundTheIndexedPrefixes() {
        index("{\"type\":\"text\",\"tokenizer\":\"prefix\",\"min_token_len\":3,\"max_token_len\":5}");
        assertEquals(Set.of(), matching("text", "ro"), "shorter than min_token_len");
        assertEquals(Set.of(0, 1, 2), matching("text", "robot"));
        assertEquals(Set.of(2, 3), matching("text", "dreaming"), "cut to max_token_len: dream");
        assertEquals(Set.of(), matching("text", "dreaming lost"), "no title has both");
        assertEquals(Set.of(2, 3), matching("text", "dream"));
    }

    @Test
    void asciiFoldingMatchesAccentedAndPlainLetters() {
        index("{\"type\":\"text\"}");
        assertEquals(Set.of(), matching("text", "pate"));
        assertEquals(Set.of(4), matching("text", "PÂTÉ"));
        index("{\"type\":\"text\",\"ascii_folding\":true}");
        assertEquals(Set.of(4), matching("text", "pate"));
        assertEquals(Set.of(4), matching("text", "PÂTÉ foie"));
        assertEquals(Set.of(4), matching("text_any", "páte nothing"));
        assertEquals("{\"type\":\"text\",\"tokenizer\":\"word\",\"ascii_folding\":true}",
                titleSchema().get("params").toString());
    }

    @Test
    void customStopwordsAreLeftOutOfTextsAndQueries() throws Exception {
        index("{\"type\":\"text\",\"phrase_matching\":true,\"stopwords\":{\"custom\":[\"of\",\"The\",\"of\"]}}");
        assertEquals(Set.of(5), matching("text", "the feeling"));
        assertEquals(Set.of(), matching("text_any", "the of"), "a query of stop words only matches nothing");
        assertEquals(Set.of(5), matching("phrase", "feeling power"), "stop words hold no position");
        assertEquals(Set.of(8), matching("text", "LAST question"));
        assertEquals(RestClient.JSON.readTree("{\"type\":\"text\",\"tokenizer\":\"word\",\"phrase_matching\":true,"
                + "\"stopwords\":{\"custom\":[\"The\",\"of\"]}}"), titleSchema().get("params"));
    }

    @Test
    void snowballStemmerMatchesInflectedForms() throws Exception {
        index("{\"type\":\"text\",\"stemmer\":{\"type\":\"snowball\",\"language\":\"english\"}}");
        assertEquals(Set.of(2, 3), matching("text", "dreams"));
        assertEquals(Set.of(2, 3), matching("text", "DREAMING"));
        assertEquals(Set.of(7, 9), matching("text_any", "lives breed"), "live(s)/living, breed(s)");
        assertEquals(Set.of(), matching("text", "lives breed"));
    }

    @Test
    void optionsPersistAndAnswerTheSameAfterARestart() throws Exception {
        String params = "{\"type\":\"text\",\"tokenizer\":\"prefix\",\"min_token_len\":2,\"lowercase\":true,"
                + "\"ascii_folding\":true,\"stopwords\":{\"custom\":[\"the\"]},"
                + "\"stemmer\":{\"type\":\"snowball\",\"language\":\"english\"}}";
        index(params);
        JsonNode before = titleSchema();
        Set<Integer> pate = matching("text", "pat");
        Set<Integer> dreams = matching("text", "dreams");
        assertEquals(Set.of(4), pate);
        assertEquals(Set.of(2, 3), dreams);
        restartServer();
        assertEquals(before, titleSchema());
        assertEquals(RestClient.JSON.readTree(params), titleSchema().get("params"));
        assertEquals(pate, matching("text", "pat"));
        assertEquals(dreams, matching("text", "dreams"));
    }

    @Test
    void unsupportedOptionsAre400AndCreateNoIndex() {
        for (String bad : new String[] {"{\"type\":\"text\",\"stopwords\":\"english\"}",
            "{\"type\":\"text\",\"stopwords\":{\"languages\":[\"english\"],\"custom\":[\"x\"]}}",
            "{\"type\":\"text\",\"tokenizer\":\"multilingual\"}",
            "{\"type\":\"text\",\"stemmer\":{\"type\":\"snowball\",\"language\":\"klingon\"}}",
            "{\"type\":\"text\",\"stopwords\":{\"custom\":\"the\"}}"}) {
            String error = rest.error(400, "PUT", "/collections/c/index?wait=true",
                    "{\"field_name\":\"title\",\"field_schema\":" + bad + "}");
            assertTrue(error.contains("field_schema"), error);
        }
        assertTrue(rest.ok("GET", "/collections/c", null).get("payload_schema").isEmpty());
    }
}
