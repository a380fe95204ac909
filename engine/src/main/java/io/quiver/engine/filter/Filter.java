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

    /** The filter as Qdrant JSON (a fresh copy of what was parsed); {@link FilterParser#parse} reads it back. */
    public ObjectNode toJson() {
        return json.deepCopy();
    }

    @Override
    public String toString() {
        return json.toString();
    }
}
