package io.quiver.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.AlreadyExistsException;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.NotFoundException;
import io.quiver.engine.Point;
import io.quiver.engine.PointId;
import io.quiver.engine.PointVectors;
import io.quiver.engine.PointsSelector;
import io.quiver.engine.QuiverException;
import io.quiver.engine.Record;
import io.quiver.engine.ScoredPoint;
import io.quiver.engine.ScrollRequest;
import io.quiver.engine.ExampleQuery;
import io.quiver.engine.SearchRequest;
import io.quiver.engine.ValidationException;
import io.quiver.engine.WithPayload;
import io.quiver.engine.filter.Filter;
import io.quiver.engine.filter.FilterParser;
import io.quiver.hnsw.QuantizationSearchParams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON forms of engine values in data-plane messages between peers. Vectors travel as base64 of little-endian
 * float32 and scores as their IEEE bits, so a value crosses the wire bit-exact. Errors travel as
 * {@code {"error":{"type":..,"message":..}}} and are rethrown as the same engine or cluster exception type. Stateless.
 */
final class DataCodec {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private DataCodec() {
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Calls {@code create} with each field and its Qdrant {@code field_schema} of a {@code payload_schema}: either a
     * replica's info form ({@code {"data_type", "params"?, "points"}}) or a {@code config.json} entry (the field schema
     * itself, or an older {@code {"data_type", "params"}}). Anything but an object holds no field.
     */
    static void forEachPayloadIndex(JsonNode payloadSchemaOrNull, java.util.function.BiConsumer<String, JsonNode> create) {
        if (payloadSchemaOrNull == null || !payloadSchemaOrNull.isObject()) {
            return;
        }
        payloadSchemaOrNull.properties().forEach(field -> {
            JsonNode n = field.getValue();
            create.accept(field.getKey(), n.has("data_type") ? (n.has("params") ? n.get("params") : n.get("data_type")) : n);
        });
    }

    static JsonNode parse(byte[] bytes) {
        try {
            return MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new ClusterException(ClusterException.Kind.INTERNAL, "malformed data-plane message: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- vectors, points, records

    static byte[] vectorBytes(float[] v) {
        ByteBuffer buffer = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(v);
        return buffer.array();
    }

    static float[] vectorOf(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            byte[] b = node.binaryValue();
            float[] v = new float[b.length / 4];
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            return v;
        } catch (IOException e) {
            throw new ClusterException(ClusterException.Kind.INTERNAL, "malformed vector: " + e.getMessage());
        }
    }

    static ObjectNode pointJson(PointId id, float[] vector, ObjectNode payload) {
        ObjectNode n = JSON.objectNode();
        n.set("id", id.toJson());
        if (vector != null) {
            n.put("v", vectorBytes(vector));
        }
        if (payload != null) {
            n.set("p", payload);
        }
        return n;
    }

    static ArrayNode pointsJson(List<Point> points) {
        ArrayNode a = JSON.arrayNode();
        points.forEach(p -> a.add(pointJson(p.id(), p.vector(), p.payload())));
        return a;
    }

    static List<Point> points(JsonNode array) {
        List<Point> out = new ArrayList<>(array.size());
        for (JsonNode n : array) {
            out.add(new Point(PointId.parse(n.get("id")), vectorOf(n.get("v")), payloadOf(n.get("p"))));
        }
        return out;
    }

    /** Records; one whose vector was asked for but deleted carries {@code "nv": true}. */
    static ArrayNode recordsJson(List<Record> records) {
        ArrayNode a = JSON.arrayNode();
        for (Record r : records) {
            ObjectNode n = pointJson(r.id(), r.vectorOrNull(), r.payloadOrNull());
            if (r.vectorMissing()) {
                n.put("nv", true);
            }
            a.add(n);
        }
        return a;
    }

    static List<Record> records(JsonNode array) {
        List<Record> out = new ArrayList<>(array.size());
        for (JsonNode n : array) {
            out.add(new Record(PointId.parse(n.get("id")), payloadOf(n.get("p")), vectorOf(n.get("v")),
                    n.path("nv").asBoolean(false)));
        }
        return out;
    }

    /** An update of vectors: {@code [{"id":..,"v":..}]}. */
    static ArrayNode pointVectorsJson(List<PointVectors> points) {
        ArrayNode a = JSON.arrayNode();
        points.forEach(p -> a.add(pointJson(p.id(), p.vector(), null)));
        return a;
    }

    static List<PointVectors> pointVectors(JsonNode array) {
        List<PointVectors> out = new ArrayList<>(array.size());
        for (JsonNode n : array) {
            out.add(new PointVectors(PointId.parse(n.get("id")), vectorOf(n.get("v"))));
        }
        return out;
    }

    static ArrayNode scoredJson(List<ScoredPoint> hits) {
        ArrayNode a = JSON.arrayNode();
        for (ScoredPoint h : hits) {
            ObjectNode n = pointJson(h.id(), h.vectorOrNull(), h.payloadOrNull());
            n.put("ver", h.version());
            n.put("s", Float.floatToRawIntBits(h.score()));
            a.add(n);
        }
        return a;
    }

    static List<ScoredPoint> scored(JsonNode array) {
        List<ScoredPoint> out = new ArrayList<>(array.size());
        for (JsonNode n : array) {
            out.add(new ScoredPoint(PointId.parse(n.get("id")), n.get("ver").asLong(),
                    Float.intBitsToFloat(n.get("s").asInt()), payloadOf(n.get("p")), vectorOf(n.get("v"))));
        }
        return out;
    }

    static ObjectNode payloadOf(JsonNode node) {
        return node instanceof ObjectNode o ? o : null;
    }

    static ArrayNode idsJson(List<PointId> ids) {
        ArrayNode a = JSON.arrayNode();
        ids.forEach(id -> a.add(id.toJson()));
        return a;
    }

    static List<PointId> ids(JsonNode array) {
        List<PointId> out = new ArrayList<>(array.size());
        array.forEach(n -> out.add(PointId.parse(n)));
        return out;
    }

    // ---------------------------------------------------------------- selectors and requests

    static ObjectNode selectorJson(PointsSelector selector) {
        ObjectNode n = JSON.objectNode();
        switch (selector) {
            case PointsSelector.Ids ids -> n.set("ids", idsJson(ids.ids()));
            case PointsSelector.ByFilter f -> n.set("filter", f.filter().toJson());
        }
        return n;
    }

    static PointsSelector selector(JsonNode n) {
        return n.has("ids") ? PointsSelector.ids(ids(n.get("ids"))) : PointsSelector.filter(FilterParser.parse(n.get("filter")));
    }

    static JsonNode filterJson(Filter filterOrNull) {
        return filterOrNull == null ? JSON.nullNode() : filterOrNull.toJson();
    }

    static Filter filter(JsonNode n) {
        return n == null || n.isNull() ? null : FilterParser.parse(n);
    }

    /** An {@code order_by} as {@link io.quiver.engine.OrderBy#parse} reads it ({@code start_from} as a number). */
    static ObjectNode orderByJson(io.quiver.engine.OrderBy orderBy) {
        ObjectNode n = JSON.objectNode();
        n.put("key", orderBy.key());
        n.put("direction", orderBy.descending() ? "desc" : "asc");
        if (orderBy.startFromOrNull() != null) {
            n.put("start_from", orderBy.startFromOrNull());
        }
        return n;
    }

    static io.quiver.engine.OrderBy orderBy(JsonNode n) {
        return io.quiver.engine.OrderBy.parse(n);
    }

    /** (value, id) pairs as {@code [[value, id], …]}: a Long value stays a JSON integer, a Double a JSON float. */
    static ArrayNode orderedIdsJson(List<io.quiver.engine.OrderedScroll.OrderedId> pairs) {
        ArrayNode a = JSON.arrayNode(pairs.size());
        for (io.quiver.engine.OrderedScroll.OrderedId p : pairs) {
            ArrayNode pair = a.addArray();
            if (p.value() instanceof Long l) {
                pair.add(l.longValue());
            } else {
                pair.add(p.value().doubleValue());
            }
            pair.add(p.id().toJson());
        }
        return a;
    }

    static List<io.quiver.engine.OrderedScroll.OrderedId> orderedIds(JsonNode n) {
        List<io.quiver.engine.OrderedScroll.OrderedId> out = new ArrayList<>(n.size());
        for (JsonNode pair : n) {
            JsonNode v = pair.get(0);
            Number value = v.isIntegralNumber() ? (Number) v.longValue() : (Number) v.doubleValue();
            out.add(new io.quiver.engine.OrderedScroll.OrderedId(value, PointId.parse(pair.get(1))));
        }
        return out;
    }

    static ObjectNode withPayloadJson(WithPayload w) {
        ObjectNode n = JSON.objectNode();
        n.put("enabled", w.enabled());
        if (w.include() != null) {
            ArrayNode a = n.putArray("include");
            w.include().forEach(a::add);
        }
        if (w.exclude() != null) {
            ArrayNode a = n.putArray("exclude");
            w.exclude().forEach(a::add);
        }
        return n;
    }

    static WithPayload withPayload(JsonNode n) {
        return new WithPayload(n.get("enabled").asBoolean(), strings(n.get("include")), strings(n.get("exclude")));
    }

    private static List<String> strings(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        n.forEach(s -> out.add(s.asText()));
        return out;
    }

    static ObjectNode searchJson(SearchRequest r) {
        ObjectNode n = JSON.objectNode();
        if (r.exampleQueryOrNull() != null) {
            n.set("ex", exampleQueryJson(r.exampleQueryOrNull()));
        } else {
            n.put("v", vectorBytes(r.vector()));
        }
        n.set("filter", filterJson(r.filterOrNull()));
        n.put("limit", r.limit());
        n.put("offset", r.offset());
        n.set("wp", withPayloadJson(r.withPayload()));
        n.put("wv", r.withVector());
        if (r.scoreThresholdOrNull() != null) {
            n.put("thr", Float.floatToRawIntBits(r.scoreThresholdOrNull()));
        }
        if (r.hnswEfOrNull() != null) {
            n.put("ef", r.hnswEfOrNull());
        }
        n.put("exact", r.exact());
        QuantizationSearchParams q = r.quantizationOrNull();
        if (q != null) {
            ObjectNode qn = n.putObject("quant");
            qn.put("ignore", q.ignore());
            qn.put("rescore", q.rescore());
            qn.put("oversampling", q.oversampling());
        }
        if (r.indexedOnly()) {
            n.put("indexed_only", true);
        }
        return n;
    }

    static SearchRequest search(JsonNode n) {
        return new SearchRequest(vectorOf(n.get("v")), filter(n.get("filter")), n.get("limit").asInt(),
                n.get("offset").asInt(), withPayload(n.get("wp")), n.get("wv").asBoolean(),
                n.has("thr") ? Float.intBitsToFloat(n.get("thr").asInt()) : null,
                n.has("ef") ? n.get("ef").asInt() : null, n.get("exact").asBoolean(), quantization(n.get("quant")),
                n.path("indexed_only").asBoolean(false), n.has("ex") ? exampleQuery(n.get("ex")) : null);
    }

    /**
     * An example query: {@code {"kind": …}} with its vectors bit-exact: {@code pos}/{@code neg} lists (best_score,
     * sum_scores), {@code target} and {@code pairs} of [positive, negative] (discover), {@code pairs} (context).
     */
    static ObjectNode exampleQueryJson(ExampleQuery q) {
        ObjectNode n = JSON.objectNode();
        n.put("kind", q.kind());
        switch (q) {
            case ExampleQuery.BestScore b -> {
                n.set("pos", vectorsJson(b.positives()));
                n.set("neg", vectorsJson(b.negatives()));
            }
            case ExampleQuery.SumScores s -> {
                n.set("pos", vectorsJson(s.positives()));
                n.set("neg", vectorsJson(s.negatives()));
            }
            case ExampleQuery.Discover d -> {
                n.put("target", vectorBytes(d.target()));
                n.set("pairs", pairsJson(d.pairs()));
            }
            case ExampleQuery.Context c -> n.set("pairs", pairsJson(c.pairs()));
        }
        return n;
    }

    static ExampleQuery exampleQuery(JsonNode n) {
        return switch (n.get("kind").asText()) {
            case "best_score" -> new ExampleQuery.BestScore(vectors(n.get("pos")), vectors(n.get("neg")));
            case "sum_scores" -> new ExampleQuery.SumScores(vectors(n.get("pos")), vectors(n.get("neg")));
            case "discover" -> new ExampleQuery.Discover(vectorOf(n.get("target")), pairs(n.get("pairs")));
            case "context" -> new ExampleQuery.Context(pairs(n.get("pairs")));
            default -> throw new ClusterException(ClusterException.Kind.INTERNAL, "unknown example query kind "
                    + n.get("kind"));
        };
    }

    private static ArrayNode vectorsJson(List<float[]> vectors) {
        ArrayNode a = JSON.arrayNode();
        vectors.forEach(v -> a.add(vectorBytes(v)));
        return a;
    }

    private static List<float[]> vectors(JsonNode a) {
        List<float[]> out = new ArrayList<>(a.size());
        a.forEach(v -> out.add(vectorOf(v)));
        return out;
    }

    private static ArrayNode pairsJson(List<ExampleQuery.ContextPair> pairs) {
        ArrayNode a = JSON.arrayNode();
        pairs.forEach(p -> a.addArray().add(vectorBytes(p.positive())).add(vectorBytes(p.negative())));
        return a;
    }

    private static List<ExampleQuery.ContextPair> pairs(JsonNode a) {
        List<ExampleQuery.ContextPair> out = new ArrayList<>(a.size());
        a.forEach(p -> out.add(new ExampleQuery.ContextPair(vectorOf(p.get(0)), vectorOf(p.get(1)))));
        return out;
    }

    private static QuantizationSearchParams quantization(JsonNode qn) {
        return qn == null ? null : new QuantizationSearchParams(qn.get("ignore").asBoolean(),
                qn.get("rescore").asBoolean(), qn.get("oversampling").asDouble());
    }

    static ObjectNode scrollJson(ScrollRequest r) {
        ObjectNode n = JSON.objectNode();
        if (r.offsetOrNull() != null) {
            n.set("offset", r.offsetOrNull().toJson());
        }
        n.put("limit", r.limit());
        n.set("filter", filterJson(r.filterOrNull()));
        n.set("wp", withPayloadJson(r.withPayload()));
        n.put("wv", r.withVector());
        return n;
    }

    static ScrollRequest scroll(JsonNode n) {
        return new ScrollRequest(n.has("offset") ? PointId.parse(n.get("offset")) : null, n.get("limit").asInt(),
                filter(n.get("filter")), withPayload(n.get("wp")), n.get("wv").asBoolean());
    }

    // ---------------------------------------------------------------- errors

    static ObjectNode errorJson(Throwable e) {
        String type = switch (e) {
            case DataPlane.NotOrdererException x -> "not_orderer";
            case DataPlane.WriteConsistencyException x -> "write_consistency";
            case NotFoundException x -> "not_found";
            case AlreadyExistsException x -> "already_exists";
            case ValidationException x -> "validation";
            case BadRequestException x -> "bad_request";
            case ClusterException x -> "cluster:" + x.kind().name();
            case QuiverException x -> "engine";
            default -> "internal";
        };
        ObjectNode n = JSON.objectNode();
        n.putObject("error").put("type", type).put("message", String.valueOf(e.getMessage()));
        return n;
    }

    /** Throws the error of an answer, if it carries one; returns the answer otherwise. */
    static JsonNode checked(JsonNode answer) {
        JsonNode error = answer.get("error");
        if (error == null) {
            return answer;
        }
        String type = error.get("type").asText();
        String message = error.get("message").asText();
        throw switch (type) {
            case "not_orderer" -> new DataPlane.NotOrdererException(message);
            case "write_consistency" -> new DataPlane.WriteConsistencyException(message);
            case "not_found" -> new NotFoundException(message.startsWith("Not found: ") ? message.substring(11) : message);
            case "already_exists" -> new ClusterException(ClusterException.Kind.CONFLICT, message);
            case "validation" -> new ValidationException(List.of(message));
            case "bad_request" -> new BadRequestException(message);
            case "engine" -> new QuiverException(message);
            default -> type.startsWith("cluster:")
                    ? new ClusterException(ClusterException.Kind.valueOf(type.substring(8)), message)
                    : new ClusterException(ClusterException.Kind.INTERNAL, message);
        };
    }
}
