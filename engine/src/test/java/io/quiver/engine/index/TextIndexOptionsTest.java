package io.quiver.engine.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.PointId;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text indexes with each of Qdrant's analyzer options answer {@code text} / {@code text_any} from the index alone
 * exactly as evaluating the condition on the payloads with the same analyzer, on random texts, after payload edits
 * and deletes, and after a save and load; {@code phrase} is checked on the payloads. Seeded by
 * {@code -Dquiver.seed=}.
 */
class TextIndexOptionsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final List<String> CONFIGS = List.of(
            "{\"type\":\"text\",\"tokenizer\":\"prefix\"}",
            "{\"type\":\"text\",\"tokenizer\":\"prefix\",\"min_token_len\":2,\"max_token_len\":4}",
            "{\"type\":\"text\",\"tokenizer\":\"prefix\",\"ascii_folding\":true,\"stopwords\":{\"custom\":[\"the\"]},"
                    + "\"stemmer\":{\"type\":\"snowball\",\"language\":\"english\"}}",
            "{\"type\":\"text\",\"tokenizer\":\"word\",\"ascii_folding\":true,\"lowercase\":false}",
            "{\"type\":\"text\",\"tokenizer\":\"word\",\"min_token_len\":3,\"max_token_len\":6,"
                    + "\"stopwords\":{\"custom\":[\"The\",\"of\",\"café\"]}}",
            "{\"type\":\"text\",\"tokenizer\":\"whitespace\",\"ascii_folding\":true,"
                    + "\"stemmer\":{\"type\":\"snowball\",\"language\":\"english\"}}",
            "{\"type\":\"text\",\"tokenizer\":\"word\",\"stemmer\":{\"type\":\"snowball\",\"language\":\"french\"},"
                    + "\"lowercase\":false,\"stopwords\":{\"custom\":[\"Le\"]}}");

    private static final String[] WORDS = {"the", "The", "of", "robot", "Robots", "ROBO", "rob", "café", "cafe",
        "Café", "living", "lives", "live", "proceeding", "Über", "uber", "ação", "acao", "straße", "strasse", "x²",
        "Le", "mangeons", "manger", "a", "ab", "Ærø", "go-to", "it's", "dreams"};

    @TempDir
    Path dir;

    private static long seed() {
        String s = System.getProperty("quiver.seed");
        return s != null ? Long.parseLong(s) : System.nanoTime();
    }

    private static String sentence(Random rnd, int maxWords) {
        StringBuilder b = new StringBuilder();
        for (int i = 0, n = 1 + rnd.nextInt(maxWords); i < n; i++) {
            if (i > 0) {
                b.append(rnd.nextInt(5) == 0 ? ", " : " ");
            }
            String w = WORDS[rnd.nextInt(WORDS.length)];
            b.append(rnd.nextInt(6) == 0 && w.length() > 2 ? w.substring(0, 2 + rnd.nextInt(w.length() - 2)) : w);
        }
        return b.toString();
    }

    private static JsonNode payload(Random rnd) {
        ObjectNode p = JSON.createObjectNode();
        switch (rnd.nextInt(6)) {
            case 0 -> { }
            case 1 -> p.put("t", 7);
            case 2 -> {
                ArrayNode a = p.putArray("t");
                for (int i = 0, n = rnd.nextInt(3); i < n; i++) {
                    a.add(sentence(rnd, 4));
                }
                if (rnd.nextBoolean()) {
                    a.add(3);
                }
            }
            default -> p.put("t", sentence(rnd, 8));
        }
        return p;
    }

    private static Filter condition(String kind, String text) {
        ObjectNode match = JSON.createObjectNode().put(kind, text);
        ObjectNode c = JSON.createObjectNode().put("key", "t");
        c.set("match", match);
        ObjectNode f = JSON.createObjectNode();
        f.putArray("must").add(c);
        return FilterParser.parse(f);
    }

    /** The segment's points with every payload read refused: the index must decide alone. */
    private static SegmentPoints withoutPayloads(TestSegment seg) {
        return seg.payloadsRefusedExcept(ord -> false, "for an indexed text condition");
    }

    private static BitSet evaluated(PayloadIndexes ix, Filter f, TestSegment seg) {
        BitSet out = new BitSet();
        for (int ord = 0; ord < seg.ordBound(); ord++) {
            if (seg.isLive(ord) && ix.evaluator().matches(f, seg.pointId(ord), seg.payload(ord))) {
                out.set(ord);
            }
        }
        return out;
    }

    /** Checks every query kind on a fresh random query; returns how many points the text queries matched. */
    private static int check(PayloadIndexes ix, TestSegment seg, Random rnd, String context) {
        int matched = 0;
        for (int q = 0; q < 40; q++) {
            String text = sentence(rnd, 3);
            for (String kind : new String[] {"text", "text_any"}) {
                Filter f = condition(kind, text);
                BitSet expected = evaluated(ix, f, seg);
                assertEquals(expected, ix.matchingOrds(f, withoutPayloads(seg)), context + " " + kind + " " + text);
                matched += expected.cardinality();
            }
            Filter phrase = condition("phrase", text);
            assertEquals(evaluated(ix, phrase, seg), ix.matchingOrds(phrase, seg), context + " phrase " + text);
        }
        return matched;
    }

    @Test
    void indexAnswersEqualThePayloadEvaluationForEveryOption() {
        long seed = seed();
        System.out.println("TextIndexOptionsTest seed " + seed + " (-Dquiver.seed=" + seed + ")");
        Random rnd = new Random(seed);
        for (String config : CONFIGS) {
            String context = "seed " + seed + " " + config;
            TestSegment seg = new TestSegment();
            for (int i = 0; i < 120; i++) {
                seg.add(PointId.of(i), payload(rnd));
            }
            PayloadIndexes ix = new PayloadIndexes();
            PayloadFieldSchema schema = PayloadFieldSchema.parse(readTree(config));
            ix.createIndex("t", schema, seg);
            assertTrue(check(ix, seg, rnd, context) > 0, context + ": no query matched anything");

            for (int i = 0; i < 40; i++) {
                int ord = rnd.nextInt(seg.ordBound());
                if (!seg.isLive(ord)) {
                    continue;
                }
                if (rnd.nextInt(3) == 0) {
                    seg.delete(ord);
                    ix.remove(ord);
                } else {
                    JsonNode p = payload(rnd);
                    seg.setPayload(ord, p);
                    ix.add(ord, p);
                }
            }
            check(ix, seg, rnd, context + " after edits");

            Path file = dir.resolve("text-" + CONFIGS.indexOf(config) + ".bin");
            ix.save(file);
            PayloadIndexes loaded = PayloadIndexes.load(file);
            assertEquals(Map.of("t", schema), loaded.schema(), context);
            assertFalse(loaded.syncWith(Map.of("t", PayloadFieldSchema.parse(readTree(config))), seg),
                    context + ": the loaded index must not count as stale");
            check(loaded, seg, rnd, context + " after load");
        }
    }

    private static JsonNode readTree(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(s, e);
        }
    }
}
