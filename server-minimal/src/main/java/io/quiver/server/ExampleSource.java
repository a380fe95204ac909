package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.cluster.CollectionService;
import io.quiver.cluster.ReadConsistency;
import io.quiver.engine.PointId;
import io.quiver.engine.Record;
import io.quiver.engine.WithPayload;

import java.util.List;

/**
 * Where the point ids among a query's examples (recommend positives and negatives, discover targets and context
 * pairs, a query by point id) are looked up: in the searched collection, whose example points the results then
 * leave out; or, with Qdrant's {@code lookup_from} ({@code {"collection": …, "vector": …}}), in another collection,
 * whose ids name no point of the searched one, so nothing is left out. A {@code lookup_from} that names the searched
 * collection itself leaves them out, as Qdrant compares the two names: the name as the request gives it (an alias of
 * the searched collection does not count) with the searched collection's own name. Immutable.
 *
 * @param searched      the collection the query searches
 * @param lookupOrNull  the {@code lookup_from} collection (resolved through aliases), or null
 * @param lookupName    the collection name {@code lookup_from} gives, or null
 * @param lookupVector  the vector name the examples are read by: {@code lookup_from}'s {@code vector}, else the
 *                      searched collection's vector (Qdrant's default is {@code using}, which must name it)
 * @param consistency   the read consistency of the lookups
 */
record ExampleSource(CollectionService searched, CollectionService lookupOrNull, String lookupName,
        String lookupVector, ReadConsistency consistency) {

    /** Ids looked up in the searched collection itself. */
    static ExampleSource of(CollectionService searched, ReadConsistency consistency) {
        return new ExampleSource(searched, null, null, VectorName.of(searched).name(), consistency);
    }

    /**
     * The source a request or prefetch object names with {@code lookup_from} ({@code where} prefixes field names in
     * messages): absent or null, the searched collection; an unknown collection is a 404 as Qdrant answers it.
     */
    static ExampleSource of(CollectionLookup collections, CollectionService searched, JsonNode node, String where,
            ReadConsistency consistency) {
        JsonNode lookup = node.get("lookup_from");
        if (lookup == null || lookup.isNull()) {
            return of(searched, consistency);
        }
        if (!lookup.isObject()) {
            throw JsonFields.typeError(where + "lookup_from", lookup, "struct LookupLocation");
        }
        String name = JsonFields.optText(lookup, "collection", where + "lookup_from.collection");
        if (name == null) {
            throw ApiException.badRequest("Format error in JSON body: " + where
                    + "lookup_from: missing field `collection`");
        }
        String vector = JsonFields.optText(lookup, "vector", where + "lookup_from.vector");
        return new ExampleSource(searched, collections.get(name), name,
                vector == null ? VectorName.of(searched).name() : vector, consistency);
    }

    /** Whether the results leave out the example points (they are points of the searched collection). */
    boolean excludesExamples() {
        return lookupOrNull == null || lookupName.equals(searched.name());
    }

    /**
     * The stored vector of example point {@code id}: a 404 {@code No point with id … found} when the collection it is
     * looked up in has no such point, then a 400 when that collection has no vector by the asked name (Quiver's
     * collections hold one vector each), and a 404 as for a missing point when the point has no vector (it
     * was deleted): there is nothing to search with.
     */
    float[] storedVector(PointId id) {
        CollectionService from = lookupOrNull == null ? searched : lookupOrNull;
        List<Record> records = from.retrieve(List.of(id), WithPayload.NONE, true, consistency);
        if (records.isEmpty()) {
            throw ApiException.notFound("No point with id " + id + " found");
        }
        VectorName.of(from).require(lookupVector);
        if (records.getFirst().vectorOrNull() == null) {
            throw ApiException.notFound("No point with id " + id + " found");
        }
        return records.getFirst().vectorOrNull();
    }
}
