package io.quiver.engine.index;

import java.util.Arrays;
import java.util.Set;

/** The data type of a payload index, with its Qdrant JSON name and the params its object form accepts. Immutable. */
public enum PayloadSchemaType {
    KEYWORD("keyword", Set.of("is_tenant", "on_disk", "enable_hnsw")),
    INTEGER("integer", Set.of("lookup", "range", "is_principal", "on_disk", "enable_hnsw")),
    FLOAT("float", Set.of("is_principal", "on_disk", "enable_hnsw")),
    GEO("geo", Set.of("on_disk", "enable_hnsw")),
    TEXT("text", Set.of("tokenizer", "min_token_len", "max_token_len", "lowercase", "phrase_matching", "on_disk",
            "stopwords", "stemmer", "ascii_folding", "enable_hnsw")),
    BOOL("bool", Set.of("on_disk", "enable_hnsw")),
    DATETIME("datetime", Set.of("is_principal", "on_disk", "enable_hnsw")),
    UUID("uuid", Set.of("is_tenant", "on_disk", "enable_hnsw"));

    private final String jsonName;
    private final Set<String> params;

    PayloadSchemaType(String jsonName, Set<String> params) {
        this.jsonName = jsonName;
        this.params = params;
    }

    /** The name used in {@code field_schema} and {@code payload_schema.data_type}. */
    public String jsonName() {
        return jsonName;
    }

    /** Param names (besides {@code type}) accepted in the object form of {@code field_schema}. */
    public Set<String> params() {
        return params;
    }

    /** The type named {@code name}, or null. */
    public static PayloadSchemaType byJsonName(String name) {
        return Arrays.stream(values()).filter(t -> t.jsonName.equals(name)).findFirst().orElse(null);
    }
}
