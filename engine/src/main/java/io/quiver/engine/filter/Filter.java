package io.quiver.engine.filter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.PointId;
import java.util.List;

/**
 * A Qdrant filter: {@code must} (all), {@code should} (at least one), {@code must_not} (none) and {@code min_should}
 * (at least {@code min_count} of its conditions); absent clauses are {@code null}, present clauses are ANDed. An
 * empty {@code should} list matches nothing; an empty filter matches everything. A Filter is also a {@link Condition}
 * (nesting). Built by {@link FilterParser}; immutable and threadsafe.
 *
 * @param json the filter's JSON as parsed (a private copy; {@link #toJson()} hands out copies), for WAL records
 */
public record Filter(List<Condition> must, List<Condition> should, List<Condition> mustNot, MinShould minShould,
        ObjectNode json) implements Condition {

    /** {@code min_should}: at least {@code minCount} of {@code conditions} hold ({@code minCount} 0 is always true). */
    public record MinShould(List<Condition> conditions, int minCount) {
        public MinShould {
            conditions = List.copyOf(conditions);
        }
    }

    public Filter {
        java.util.Objects.requireNonNull(json, "json (build filters with FilterParser)");
        must = must == null ? null : List.copyOf(must);
        should = should == null ? null : List.copyOf(should);
        mustNot = mustNot == null ? null : List.copyOf(mustNot);
    }

    /** Whether the point matches, with plain (no full-text index) semantics; see {@link FilterEvaluator}. */
    public boolean matches(PointId id, ObjectNode payload) {
        return FilterEvaluator.PLAIN.matches(this, id, payload);
    }

    /**
     * This filter as the segments of a collection whose one vector is named {@code vectorName} evaluate it. Segments
     * know that vector as {@code ""}, the only name {@link FilterEvaluator} and the planner match, so
     * {@code has_vector: vectorName} becomes {@code has_vector: ""} and {@code has_vector: ""} becomes
     * {@code vectorName}, which no point of such a collection has. This filter itself when the vector is unnamed or
     * no condition names a vector.
     */
    public Filter forVectorNamed(String vectorName) {
        if (vectorName.isEmpty() || json.findParent("has_vector") == null) {
            return this;
        }
        ObjectNode copy = json.deepCopy();
        return swapVectorNames(copy, vectorName) ? FilterParser.parse(copy) : this;
    }

    /**
     * A copy of JSON that holds filters (a filter, or a formula whose conditions are filters) with every
     * {@code has_vector} renamed as {@link #forVectorNamed} renames it; {@code json} itself when the vector is unnamed.
     */
    public static com.fasterxml.jackson.databind.JsonNode forVectorNamed(com.fasterxml.jackson.databind.JsonNode json,
            String vectorName) {
        if (vectorName.isEmpty() || json == null || json.findParent("has_vector") == null) {
            return json;
        }
        com.fasterxml.jackson.databind.JsonNode copy = json.deepCopy();
        swapVectorNames(copy, vectorName);
        return copy;
    }

    /** Swaps {@code ""} and {@code name} in every {@code has_vector} below {@code node}; true when one was found. */
    private static boolean swapVectorNames(com.fasterxml.jackson.databind.JsonNode node, String name) {
        boolean found = false;
        if (node instanceof ObjectNode object) {
            com.fasterxml.jackson.databind.JsonNode hasVector = object.get("has_vector");
            if (hasVector != null && hasVector.isTextual()) {
                object.put("has_vector", hasVector.textValue().isEmpty() ? name
                        : hasVector.textValue().equals(name) ? "" : hasVector.textValue());
                found = true;
            }
            for (var child : object.properties()) {
                found |= swapVectorNames(child.getValue(), name);
            }
        } else if (node != null && node.isArray()) {
            for (var child : node) {
                found |= swapVectorNames(child, name);
            }
        }
        return found;
    }

    /** The filter as Qdrant JSON (a fresh copy of what was parsed); {@link FilterParser#parse} reads it back. */
    public ObjectNode toJson() {
        return json.deepCopy();
    }

    @Override
    public String toString() {
        return json.toString();
    }
}
