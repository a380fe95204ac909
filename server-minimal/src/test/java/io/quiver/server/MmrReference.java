package io.quiver.server;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

import static io.quiver.server.VectorJson.unit;

/**
 * The expected side of the MMR REST tests, worked out from the vectors a test stored and nothing the server computes:
 * the nearest points by brute force and Qdrant's greedy Maximal Marginal Relevance selection, both in double
 * precision; and a six-point data set small enough to check by hand. Stateless.
 */
final class MmrReference {

    /**
     * Six points in the plane, by id, small enough to check by hand (see {@link #SIX_GROUPS} for their group): a tight
     * cluster east of the origin (1, 2, 3), a pair south (4, 6) and one point west (5). From the origin under Euclid,
     * nearest first they are 1, 2, 3, 4, 6, 5; with diversity 0.5 MMR picks 1, 5, 4, 2, 3, 6 (after 1, point 5 scores
     * 0.5·(−4) + 0.5·9 = 2.5 against 4's 0.5·(−2.25) + 0.5·3.25 = 0.5 and 2's −0.6; then 4 scores 0.5 against 6's
     * −1.275, 6 being next to 4).
     */
    static final Map<Integer, float[]> SIX = Map.of(
            1, new float[] {1f, 0f}, 2, new float[] {1.1f, 0f}, 3, new float[] {1.2f, 0f},
            4, new float[] {0f, -1.5f}, 5, new float[] {-2f, 0f}, 6, new float[] {0.1f, -1.6f});
    /** The payload key {@code g} of {@link #SIX}: "a" east, "b" south, "c" west. */
    static final Map<Integer, String> SIX_GROUPS = Map.of(1, "a", 2, "a", 3, "a", 4, "b", 5, "c", 6, "b");

    private MmrReference() {
    }

    /** Creates {@code name} (Euclid, 2 dimensions; {@code extra} adds fields to the body) holding {@link #SIX}. */
    static void createSix(RestClient rest, String name, String extra) {
        rest.ok("PUT", "/collections/" + name, "{\"vectors\":{\"size\":2,\"distance\":\"Euclid\"}" + extra + "}");
        upsertSix(rest, name);
    }

    /** Writes {@link #SIX} into {@code name}, waiting for the write. */
    static void upsertSix(RestClient rest, String name) {
        StringBuilder body = new StringBuilder("{\"points\":[");
        for (int id = 1; id <= 6; id++) {
            body.append(id == 1 ? "" : ",").append("{\"id\":").append(id).append(",\"vector\":")
                    .append(VectorJson.json(SIX.get(id))).append(",\"payload\":{\"g\":\"").append(SIX_GROUPS.get(id))
                    .append("\"}}");
        }
        rest.ok("PUT", "/collections/" + name + "/points?wait=true", body.append("]}").toString());
    }

    /** Larger is better: the dot product (Dot, Cosine on unit vectors), minus the squared Euclidean or the L1 distance. */
    static double similarity(float[] a, float[] b, String distance) {
        double dot = 0;
        double l2 = 0;
        double l1 = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            l2 += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
            l1 += Math.abs((double) a[i] - b[i]);
        }
        return switch (distance) {
            case "Dot", "Cosine" -> dot;
            case "Euclid" -> -l2;
            case "Manhattan" -> -l1;
            default -> throw new IllegalArgumentException(distance);
        };
    }

    /** The query as the collection compares it: unit length under Cosine. */
    static float[] asCompared(float[] query, String distance) {
        return distance.equals("Cosine") ? unit(query) : query;
    }

    /**
     * The ids of the {@code limit} points of {@code vectors} nearest to {@code query} among those passing
     * {@code filter} (and in {@code among}, unless null), nearest first.
     */
    static List<Integer> nearest(Map<Integer, float[]> vectors, float[] query, String distance, Set<Integer> among,
            IntPredicate filter, int limit) {
        float[] q = asCompared(query, distance);
        List<Integer> ids = new ArrayList<>();
        for (Integer id : vectors.keySet()) {
            if ((among == null || among.contains(id)) && filter.test(id)) {
                ids.add(id);
            }
        }
        ids.sort(Comparator.comparingDouble((Integer id) -> -similarity(vectors.get(id), q, distance))
                .thenComparingInt(id -> id));
        return new ArrayList<>(ids.subList(0, Math.min(limit, ids.size())));
    }

    /**
     * Qdrant's MMR: the candidate most similar to the query first, then each time the one maximising
     * {@code (1 − diversity)·sim(q, c) − diversity·max over picked p of sim(c, p)}, until {@code limit} are picked or
     * none is left; ties to the earlier candidate.
     */
    static List<Integer> mmr(Map<Integer, float[]> vectors, List<Integer> candidates, float[] query, String distance,
            double diversity, int limit) {
        float[] q = asCompared(query, distance);
        List<Integer> remaining = new ArrayList<>(candidates);
        List<Integer> picked = new ArrayList<>();
        while (!remaining.isEmpty() && picked.size() < limit) {
            Integer best = null;
            double bestScore = 0;
            for (Integer c : remaining) {
                double score;
                if (picked.isEmpty()) {
                    score = similarity(vectors.get(c), q, distance);
                } else {
                    double closest = Double.NEGATIVE_INFINITY;
                    for (Integer p : picked) {
                        closest = Math.max(closest, similarity(vectors.get(c), vectors.get(p), distance));
                    }
                    score = (1 - diversity) * similarity(vectors.get(c), q, distance) - diversity * closest;
                }
                if (best == null || score > bestScore) {
                    best = c;
                    bestScore = score;
                }
            }
            picked.add(best);
            remaining.remove(best);
        }
        return picked;
    }

    /** The score a search reports for a point: the similarity for Dot/Cosine, the distance for Euclid/Manhattan. */
    static double score(float[] vector, float[] query, String distance) {
        double s = similarity(vector, asCompared(query, distance), distance);
        return switch (distance) {
            case "Euclid" -> Math.sqrt(-s);
            case "Manhattan" -> -s;
            default -> s;
        };
    }
}
