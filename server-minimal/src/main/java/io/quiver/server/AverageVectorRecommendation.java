package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.cluster.CollectionService;
import io.quiver.cluster.ReadConsistency;
import io.quiver.engine.PointId;
import io.quiver.engine.Record;
import io.quiver.engine.WithPayload;

import java.util.ArrayList;
import java.util.List;

/**
 * Qdrant's {@code average_vector} recommendation: turns {@code positive} and {@code negative} examples (point ids,
 * whose stored vectors count, or vectors) into one query vector, {@code avg(positive) + (avg(positive) -
 * avg(negative))}, or {@code avg(positive)} without negatives, and names the example ids (which results leave out).
 * Used by {@code points/recommend} and by {@code {"recommend": …}} queries. Stateless and threadsafe.
 */
final class AverageVectorRecommendation {
    private AverageVectorRecommendation() {
    }

    /** The query vector of a recommendation and the ids among its examples. */
    record Resolved(float[] vector, List<PointId> examples) {}

    /** Reads one recommend input object; {@code where} prefixes field names in error messages. */
    static Resolved resolve(CollectionService collection, JsonNode spec, String where, ReadConsistency consistency) {
        String strategy = JsonFields.optText(spec, "strategy");
        if (strategy != null && !strategy.equals("average_vector")) {
            if (!strategy.equals("best_score") && !strategy.equals("sum_scores")) {
                throw ApiException.badRequest("Format error in JSON body: " + where + "strategy: unknown variant `"
                        + strategy + "`, expected one of `average_vector`, `best_score`, `sum_scores`");
            }
            throw ApiException.badRequest("Wrong input: recommend strategy `" + strategy
                    + "` is not supported by this server; use `average_vector`");
        }
        List<PointId> ids = new ArrayList<>();
        List<float[]> positive = examples(collection, spec, "positive", where, ids, consistency);
        List<float[]> negative = examples(collection, spec, "negative", where, ids, consistency);
        if (positive.isEmpty()) {
            throw ApiException.badRequest(
                    "Wrong input: Positive vectors should not be empty with `average_vector` strategy");
        }
        int dim = positive.getFirst().length;
        for (List<float[]> side : List.of(positive, negative)) {
            for (float[] v : side) {
                if (v.length != dim) {
                    throw ApiException.badRequest("Wrong input: Vector dimension error: expected dim: " + dim
                            + ", got " + v.length);
                }
            }
        }
        double[] pos = average(positive, dim);
        float[] query = new float[dim];
        if (negative.isEmpty()) {
            for (int d = 0; d < dim; d++) {
                query[d] = (float) pos[d];
            }
        } else {
            double[] neg = average(negative, dim);
            for (int d = 0; d < dim; d++) {
                query[d] = (float) (pos[d] + (pos[d] - neg[d]));
            }
        }
        return new Resolved(query, ids);
    }

    /** The stored vector of a point; 404 when there is no such point. */
    static float[] storedVector(CollectionService collection, PointId id, ReadConsistency consistency) {
        List<Record> records = collection.retrieve(List.of(id), WithPayload.NONE, true, consistency);
        if (records.isEmpty()) {
            throw ApiException.notFound("No point with id " + id + " found");
        }
        return records.getFirst().vectorOrNull();
    }

    /** The vectors of one side's examples ({@code name}: absent = none); ids are looked up and noted in {@code ids}. */
    private static List<float[]> examples(CollectionService collection, JsonNode spec, String name, String where,
            List<PointId> ids, ReadConsistency consistency) {
        String field = where + name;
        JsonNode list = spec.get(name);
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw JsonFields.typeError(field, list, "a sequence");
        }
        List<float[]> out = new ArrayList<>(list.size());
        for (JsonNode example : list) {
            if (example.isArray()) {
                out.add(RequestParser.vector(example, field + "[]"));
            } else {
                PointId id = RequestParser.id(example, field + "[]");
                ids.add(id);
                out.add(storedVector(collection, id, consistency));
            }
        }
        return out;
    }

    private static double[] average(List<float[]> vectors, int dim) {
        double[] sum = new double[dim];
        for (float[] v : vectors) {
            for (int d = 0; d < dim; d++) {
                sum[d] += v[d];
            }
        }
        for (int d = 0; d < dim; d++) {
            sum[d] /= vectors.size();
        }
        return sum;
    }
}
