package io.quiver.engine.filter;

import io.quiver.engine.PointId;
import java.util.Set;

/**
 * One condition of a Qdrant filter clause: a field condition, {@code is_empty}, {@code is_null}, {@code has_id},
 * {@code has_vector}, {@code nested}, or a whole nested {@link Filter}. Immutable values, threadsafe.
 */
public sealed interface Condition permits Filter, FieldCondition, Condition.IsEmpty, Condition.IsNull,
        Condition.HasId, Condition.HasVector, Condition.Nested {

    /** {@code {"is_empty":{"key":K}}}: every value at K is null or {@code []} (true when K is missing). */
    record IsEmpty(JsonPath key) implements Condition {}

    /** {@code {"is_null":{"key":K}}}: some value at K is JSON {@code null} (missing and {@code [null]} are not). */
    record IsNull(JsonPath key) implements Condition {}

    /** {@code {"has_id":[...]}}: the point's id is in the set. Never true inside a nested condition. */
    record HasId(Set<PointId> ids) implements Condition {
        public HasId {
            ids = Set.copyOf(ids);
        }
    }

    /**
     * {@code {"has_vector":"name"}}: the point has the named vector. Segments know a point's one vector as {@code ""}
     * (unless it was deleted); {@link Filter#forVectorNamed} renames a collection's named vector to that first.
     */
    record HasVector(String vectorName) implements Condition {}

    /**
     * {@code {"nested":{"key":K,"filter":F}}}: some object element of the array at {@code K[]} satisfies F on its own.
     * {@code arrayKey} is K with {@code []} appended.
     */
    record Nested(JsonPath key, JsonPath arrayKey, Filter filter) implements Condition {}
}
