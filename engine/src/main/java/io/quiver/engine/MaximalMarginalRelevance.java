package io.quiver.engine;

import io.quiver.hnsw.Distance;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Qdrant's Maximal Marginal Relevance re-ranking (a query {@code {"nearest": v, "mmr": {…}}}, Qdrant 1.15+): from
 * candidates found nearest to {@code v} (with their vectors), greedily picks the one most relevant to {@code v}, then
 * each time the candidate maximising {@code λ·sim(v, x) − (1 − λ)·max over picked s of sim(x, s)}, with
 * {@code λ = 1 − diversity}. {@code sim} is the collection distance's internal similarity, larger is better (the dot
 * product, the query normalised for Cosine; minus the squared Euclidean or minus the L1 distance), as Qdrant's raw
 * scorers use it; the picked points keep their search score. Candidates without a vector, and repeats of an id, are
 * dropped; fewer than two are returned as they are. Ties go to the earlier candidate. Each step updates every
 * remaining candidate's largest similarity to the picked set, so {@code limit} picks cost
 * {@code O(limit · candidates)} similarities and no pairwise matrix. Immutable; threadsafe.
 */
public final class MaximalMarginalRelevance {
    /** Qdrant's default {@code diversity}. */
    public static final float DEFAULT_DIVERSITY = 0.5f;
    /** Qdrant's largest {@code candidates_limit} (an artificial bound on the query's cost). */
    public static final int MAX_CANDIDATES = 16_384;

    private final Distance distance;
    private final float lambda;
    /** The collection's vector, whose datatype the query takes before relevance is measured; null: as given. */
    private final CollectionConfig.VectorParams vectorOrNull;

    /** Re-ranking for a collection with {@code distance}; {@code diversity} in [0, 1]: 0 = relevance only. */
    public MaximalMarginalRelevance(Distance distance, float diversity) {
        this(distance, diversity, null);
    }

    /**
     * Re-ranking for a collection's {@code vector}: the query is converted as searches convert it (unit length under
     * cosine, then the vector's datatype, e.g. uint8), so that relevance is measured as the candidates were scored.
     */
    public MaximalMarginalRelevance(CollectionConfig.VectorParams vector, float diversity) {
        this(vector.distance(), diversity, vector);
    }

    private MaximalMarginalRelevance(Distance distance, float diversity, CollectionConfig.VectorParams vectorOrNull) {
        if (!(diversity >= 0f && diversity <= 1f)) {
            throw new IllegalArgumentException("diversity must be in [0, 1], got " + diversity);
        }
        this.distance = distance;
        this.lambda = 1f - diversity;
        this.vectorOrNull = vectorOrNull;
    }

    /**
     * Up to {@code limit} of {@code candidates} (search hits that carry their vectors), in pick order, for the query
     * vector {@code query} as the request gave it.
     */
    public List<ScoredPoint> select(float[] query, List<ScoredPoint> candidates, int limit) {
        List<ScoredPoint> usable = new ArrayList<>(candidates.size());
        Set<PointId> seen = new HashSet<>();
        for (ScoredPoint p : candidates) {
            if (p.vectorOrNull() != null && seen.add(p.id())) {
                usable.add(p);
            }
        }
        int n = usable.size();
        if (n < 2 || limit <= 0) {
            return limit <= 0 ? List.of() : usable;
        }
        float[] q = vectorOrNull != null ? VectorInput.prepare(query, vectorOrNull)
                : distance == Distance.COSINE ? unit(query) : query;
        float[] relevance = new float[n];
        for (int i = 0; i < n; i++) {
            relevance[i] = distance.similarity(q, usable.get(i).vectorOrNull());
        }
        float[] closestPicked = new float[n];
        boolean[] picked = new boolean[n];
        List<ScoredPoint> out = new ArrayList<>(Math.min(limit, n));
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (relevance[i] > relevance[best]) {
                best = i;
            }
        }
        while (true) {
            picked[best] = true;
            out.add(usable.get(best));
            if (out.size() == limit || out.size() == n) {
                return out;
            }
            float[] pickedVector = usable.get(best).vectorOrNull();
            boolean first = out.size() == 1;
            int next = -1;
            float nextScore = 0f;
            for (int i = 0; i < n; i++) {
                if (picked[i]) {
                    continue;
                }
                float sim = distance.similarity(usable.get(i).vectorOrNull(), pickedVector);
                closestPicked[i] = first ? sim : Math.max(closestPicked[i], sim);
                float score = lambda * relevance[i] - (1f - lambda) * closestPicked[i];
                if (next < 0 || score > nextScore) {
                    next = i;
                    nextScore = score;
                }
            }
            best = next;
        }
    }

    private static float[] unit(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        if (norm == 0) {
            return v;
        }
        float[] u = new float[v.length];
        double inv = 1 / Math.sqrt(norm);
        for (int i = 0; i < v.length; i++) {
            u[i] = (float) (v[i] * inv);
        }
        return u;
    }
}
