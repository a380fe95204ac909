package io.quiver.engine;

import io.quiver.engine.filter.Filter;

/**
 * A top-k search: query vector, optional filter, limit/offset, what to return, optional score threshold
 * (kept: score >= t for Cosine/Dot, <= t for Euclid/Manhattan), optional hnsw_ef and the exact flag. Immutable.
 */
public record SearchRequest(float[] vector, Filter filterOrNull, int limit, int offset, WithPayload withPayload,
        boolean withVector, Float scoreThresholdOrNull, Integer hnswEfOrNull, boolean exact) {
    public SearchRequest {
        if (vector == null) {
            throw new BadRequestException("search vector is missing");
        }
        if (limit < 0 || offset < 0) {
            throw new BadRequestException("limit and offset must not be negative");
        }
        withPayload = withPayload == null ? WithPayload.NONE : withPayload;
    }

    /** The plain form: top {@code limit} by the collection's distance, no payload, no vector. */
    public static SearchRequest topK(float[] vector, int limit) {
        return new SearchRequest(vector, null, limit, 0, WithPayload.NONE, false, null, null, false);
    }

    public SearchRequest withPayload(WithPayload w) {
        return new SearchRequest(vector, filterOrNull, limit, offset, w, withVector, scoreThresholdOrNull,
                hnswEfOrNull, exact);
    }

    public SearchRequest withExact(boolean e) {
        return new SearchRequest(vector, filterOrNull, limit, offset, withPayload, withVector, scoreThresholdOrNull,
                hnswEfOrNull, e);
    }

    public SearchRequest withHnswEf(Integer ef) {
        return new SearchRequest(vector, filterOrNull, limit, offset, withPayload, withVector, scoreThresholdOrNull,
                ef, exact);
    }

    public SearchRequest withFilter(Filter f) {
        return new SearchRequest(vector, f, limit, offset, withPayload, withVector, scoreThresholdOrNull,
                hnswEfOrNull, exact);
    }
}
