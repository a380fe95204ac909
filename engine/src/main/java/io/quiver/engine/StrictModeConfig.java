package io.quiver.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A collection's {@code strict_mode_config}, in Qdrant's shape (its {@code StrictModeConfig}): every field optional,
 * null when not set; a request's section is a diff whose given fields replace the stored ones (null or absent: kept),
 * as Qdrant's {@code update} merges it. A new collection starts from {@link #DEFAULT}, {@code {"enabled": false}}, as
 * Qdrant shows it for a collection created without one. What each field means and which are enforced is the server's
 * business (server-minimal's {@code StrictModeCheck}); this type only parses, validates, merges and prints. Immutable
 * and threadsafe (the JSON it holds is a private copy).
 */
public final class StrictModeConfig {

    /** How a field's value is read: a boolean, an unsigned integer (Qdrant's usize), a number, or a per-vector map. */
    private enum Kind { BOOL, USIZE, NUMBER, VECTOR_MAP }

    /** One field: its JSON name, its kind, its minimum (USIZE only; Qdrant's {@code range(min = 1)}) and map key. */
    private record Field(String name, Kind kind, long min, String mapKeyOrNull) {}

    /** Qdrant's fields, in the order it prints them. */
    private static final List<Field> FIELDS = List.of(
            new Field("enabled", Kind.BOOL, 0, null),
            new Field("max_query_limit", Kind.USIZE, 1, null),
            new Field("max_timeout", Kind.USIZE, 1, null),
            new Field("unindexed_filtering_retrieve", Kind.BOOL, 0, null),
            new Field("unindexed_filtering_update", Kind.BOOL, 0, null),
            new Field("search_max_hnsw_ef", Kind.USIZE, 0, null),
            new Field("search_allow_exact", Kind.BOOL, 0, null),
            new Field("search_max_oversampling", Kind.NUMBER, 0, null),
            new Field("upsert_max_batchsize", Kind.USIZE, 0, null),
            new Field("max_collection_vector_size_bytes", Kind.USIZE, 0, null),
            new Field("read_rate_limit", Kind.USIZE, 1, null),
            new Field("write_rate_limit", Kind.USIZE, 1, null),
            new Field("max_collection_payload_size_bytes", Kind.USIZE, 0, null),
            new Field("max_points_count", Kind.USIZE, 1, null),
            new Field("filter_max_conditions", Kind.USIZE, 0, null),
            new Field("condition_max_size", Kind.USIZE, 0, null),
            new Field("multivector_config", Kind.VECTOR_MAP, 0, "max_vectors"),
            new Field("sparse_config", Kind.VECTOR_MAP, 0, "max_length"),
            new Field("max_payload_index_count", Kind.USIZE, 0, null));

    /** What a collection created without a {@code strict_mode_config} holds: {@code {"enabled": false}}. */
    public static final StrictModeConfig DEFAULT;

    static {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("enabled", false);
        DEFAULT = new StrictModeConfig(n);
    }

    private final ObjectNode fields;

    private StrictModeConfig(ObjectNode fields) {
        this.fields = fields;
    }

    /**
     * Parses a request's {@code strict_mode_config} (create or update) and returns this config with its given fields
     * replacing these. A wrong type (a negative or fractional integer, a string for a boolean…) is a BadRequest
     * (400); {@code max_query_limit}, {@code max_timeout}, {@code read_rate_limit}, {@code write_rate_limit} and
     * {@code max_points_count} below 1 are validation problems (422), added to {@code problems} under
     * {@code strict_mode_config.}. Unknown keys are ignored, as Qdrant's serde model ignores them. Null: unchanged.
     */
    StrictModeConfig updatedBy(JsonNode diff, List<String> problems) {
        if (diff == null || diff.isNull()) {
            return this;
        }
        if (!diff.isObject()) {
            throw new BadRequestException("Format error in JSON body: strict_mode_config: expected an object, got "
                    + diff);
        }
        ObjectNode merged = fields.deepCopy();
        for (Field f : FIELDS) {
            JsonNode v = diff.get(f.name());
            if (v == null || v.isNull()) {
                continue;
            }
            merged.set(f.name(), read(f, v, problems));
        }
        return new StrictModeConfig(canonical(merged));
    }

    private static JsonNode read(Field f, JsonNode v, List<String> problems) {
        String where = "strict_mode_config." + f.name();
        return switch (f.kind()) {
            case BOOL -> {
                if (!v.isBoolean()) {
                    throw new BadRequestException("Format error in JSON body: " + where + ": expected a boolean, got "
                            + v);
                }
                yield v;
            }
            case NUMBER -> {
                if (!v.isNumber()) {
                    throw new BadRequestException("Format error in JSON body: " + where + ": expected a number, got "
                            + v);
                }
                yield JsonNodeFactory.instance.numberNode(v.doubleValue());
            }
            case USIZE -> {
                long n = usize(where, v);
                if (n < f.min()) {
                    problems.add(where + ": value " + n + " invalid, must be " + f.min() + " or larger");
                }
                yield JsonNodeFactory.instance.numberNode(n);
            }
            case VECTOR_MAP -> {
                if (!v.isObject()) {
                    throw new BadRequestException("Format error in JSON body: " + where + ": expected an object, got "
                            + v);
                }
                ObjectNode out = JsonNodeFactory.instance.objectNode();
                for (var e : v.properties()) {
                    JsonNode limits = e.getValue();
                    if (!limits.isObject()) {
                        throw new BadRequestException("Format error in JSON body: " + where + "." + e.getKey()
                                + ": expected an object, got " + limits);
                    }
                    ObjectNode kept = out.putObject(e.getKey());
                    JsonNode limit = limits.get(f.mapKeyOrNull());
                    if (limit != null && !limit.isNull()) {
                        kept.put(f.mapKeyOrNull(), usize(where + "." + e.getKey() + "." + f.mapKeyOrNull(), limit));
                    }
                }
                yield out;
            }
        };
    }

    /** A JSON unsigned integer that fits a long (Qdrant's usize); anything else is a BadRequest naming the field. */
    private static long usize(String where, JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
            throw new BadRequestException("Format error in JSON body: " + where + ": expected an unsigned integer, got "
                    + v);
        }
        return v.longValue();
    }

    /** The fields in Qdrant's order (a merge appends new keys at the end). */
    private static ObjectNode canonical(ObjectNode n) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (Field f : FIELDS) {
            JsonNode v = n.get(f.name());
            if (v != null && !v.isNull()) {
                out.set(f.name(), v);
            }
        }
        return out;
    }

    /**
     * Reads a stored {@code strict_mode_config} (the shape of {@link #toJson()}); a config stored before Quiver had
     * the section (null) is {@link #DEFAULT}.
     */
    static StrictModeConfig fromJson(JsonNode stored) {
        if (stored == null || stored.isNull()) {
            return DEFAULT;
        }
        List<String> problems = new java.util.ArrayList<>();
        StrictModeConfig c = new StrictModeConfig(JsonNodeFactory.instance.objectNode()).updatedBy(stored, problems);
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
        return c;
    }

    /** Qdrant's JSON: the fields set, in its order. A copy. */
    public ObjectNode toJson() {
        return fields.deepCopy();
    }

    /** {@code enabled}: the checks apply only when true. */
    public boolean enabled() {
        JsonNode v = fields.get("enabled");
        return v != null && v.booleanValue();
    }

    /** An unsigned integer field ({@code "max_query_limit"}…), null when not set. */
    public Long limitOrNull(String name) {
        JsonNode v = fields.get(name);
        return v == null ? null : v.longValue();
    }

    /** A boolean field ({@code "search_allow_exact"}…), null when not set. */
    public Boolean flagOrNull(String name) {
        JsonNode v = fields.get(name);
        return v == null ? null : v.booleanValue();
    }

    /** {@code search_max_oversampling}, null when not set. */
    public Double searchMaxOversamplingOrNull() {
        JsonNode v = fields.get("search_max_oversampling");
        return v == null ? null : v.doubleValue();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StrictModeConfig other && other.fields.equals(fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
