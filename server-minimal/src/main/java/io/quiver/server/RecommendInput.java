package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.engine.ExampleQuery;
import io.quiver.engine.PointId;

import java.util.List;

/**
 * Qdrant's recommendation input ({@code positive}, {@code negative}, {@code strategy}) of {@code points/recommend},
 * its batch and groups forms and {@code {"recommend": …}} queries, read into what the search ranks by. Examples are
 * point ids (their stored vectors) or vectors ({@link ExampleVectors}). Strategies: {@code average_vector} (the
 * default) searches nearest to {@code avg(positive) + (avg(positive) - avg(negative))}, or {@code avg(positive)}
 * without negatives, and needs a positive; {@code best_score} and {@code sum_scores} score every point against the
 * examples ({@link ExampleQuery.BestScore}, {@link ExampleQuery.SumScores}) and need at least one example, positive or
 * negative. The example counts are checked before any id is looked up, as Qdrant checks them. Stateless and
 * threadsafe.
 */
final class RecommendInput {
    private RecommendInput() {
    }

    /**
     * What a recommendation searches by — the average vector, or an example query (exactly one is non-null) — and
     * the point ids among its examples, which results leave out.
     */
    record Resolved(float[] averageOrNull, ExampleQuery examplesOrNull, List<PointId> examples) {
        /**
         * The search by this recommendation, with the rest of its shape read from {@code body}, in a collection
         * whose vector is {@code vectorName}.
         */
        io.quiver.engine.SearchRequest search(JsonNode body, int limit, VectorName vectorName) {
            return examplesOrNull == null ? RequestParser.searchTail(body, averageOrNull, limit, vectorName)
                    : RequestParser.searchTail(body, examplesOrNull, limit, vectorName);
        }
    }

    /**
     * Reads one recommend input object; {@code where} prefixes field names in messages. {@code endpoint}: the input
     * of a {@code points/recommend} endpoint, whose missing positive under {@code average_vector} Qdrant words as a
     * request error; a query's is the average's own complaint.
     */
    static Resolved resolve(ExampleSource source, JsonNode spec, String where, boolean endpoint) {
        String strategy = JsonFields.optText(spec, "strategy", where + "strategy");
        if (strategy == null) {
            strategy = "average_vector";
        }
        if (!List.of("average_vector", "best_score", "sum_scores").contains(strategy)) {
            throw ApiException.badRequest("Format error in JSON body: " + where + "strategy: unknown variant `"
                    + strategy + "`, expected one of `average_vector`, `best_score`, `sum_scores`");
        }
        int positives = count(spec, "positive", where);
        int negatives = count(spec, "negative", where);
        if (strategy.equals("average_vector") && positives == 0) {
            throw ApiException.badRequest(endpoint
                    ? "Bad request: At least one positive vector ID required with this strategy"
                    : "Wrong input: Positive vectors should not be empty with `average` strategy");
        }
        if (positives == 0 && negatives == 0) {
            throw ApiException.badRequest(
                    "Bad request: At least one positive or negative vector ID required with this strategy");
        }
        ExampleVectors examples = new ExampleVectors(source);
        List<float[]> positive = examples.list(spec, "positive", where + "positive");
        List<float[]> negative = examples.list(spec, "negative", where + "negative");
        return switch (strategy) {
            case "best_score" -> new Resolved(null, new ExampleQuery.BestScore(positive, negative), examples.ids());
            case "sum_scores" -> new Resolved(null, new ExampleQuery.SumScores(positive, negative), examples.ids());
            default -> new Resolved(average(positive, negative), null, examples.ids());
        };
    }

    /** How many examples one side lists (absent or null: none; not an array: a 400). */
    private static int count(JsonNode spec, String name, String where) {
        JsonNode list = spec.get(name);
        if (list == null || list.isNull()) {
            return 0;
        }
        if (!list.isArray()) {
            throw JsonFields.typeError(where + name, list, "a sequence");
        }
        return list.size();
    }

    /** {@code avg(positive) + (avg(positive) - avg(negative))}, or {@code avg(positive)} without negatives. */
    private static float[] average(List<float[]> positive, List<float[]> negative) {
        int dim = positive.getFirst().length;
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
        return query;
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
