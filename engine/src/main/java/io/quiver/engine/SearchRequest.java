package io.quiver.engine;

import io.quiver.engine.filter.Filter;
import io.quiver.hnsw.QuantizationSearchParams;

/**
 * A top-k search: query vector, optional filter, limit/offset, what to return, optional score threshold
 * (kept: score >= t for Cosine/Dot, <= t for Euclid/Manhattan) and Qdrant's search {@code params}: hnsw_ef, exact,
 * quantization (how an int8 index uses its codes; null: the index's defaults) and indexed_only (skip segments that
 * would need an exact scan because they are not indexed yet). Immutable.
 */
public record SearchRequest(float[] vector, Filter filterOrNull, int limit, int offset, WithPayload withPayload,
        boolean withVector, Float scoreThresholdOrNull, Integer hnswEfOrNull, boolean exact,
        QuantizationSearchParams quantizationOrNull, boolean indexedOnly) {
    public SearchRequest {
        if (vector == null) {
            throw new BadRequestException("search vector is missing");
        }
        if (limit < 0 || offset < 0) {
            throw new BadRequestException("limit and offset must not be negative");
        }
        withPayload = withPayload == null ? WithPayload.NONE : withPayload;
    }

    /**
     * How many best points the search must find before it skips {@code offset} of them: {@code offset + limit},
     * saturated at {@link Integer#MAX_VALUE} (both may be as large as a request sends).
     */
    public int candidates() {
        return (int) Math.min(Integer.MAX_VALUE, (long) offset + limit);
    }

    /** A search with the index's default use of quantization, over every segment. */
    public SearchRequest(float[] vector, Filter filterOrNull, int limit, int offset, WithPayload withPayload,
            boolean withVector, Float scoreThresholdOrNull, Integer hnswEfOrNull, boolean exact) {
        this(vector, filterOrNull, limit, offset, withPayload, withVector, scoreThresholdOrNull, hnswEfOrNull, exact,
                null, false);
    }

    /** The plain form: top {@code limit} by the collection's distance, no payload, no vector. */
    public static SearchRequest topK(float[] vector, int limit) {
        return new SearchRequest(vector, null, limit, 0, WithPayload.NONE, false, null, null, false);
    }

    public SearchRequest withPayload(WithPayload w) {
        return new SearchRequest(vector, filterOrNull, limit, offset, w, withVector, scoreThresholdOrNull,
                hnswEfOrNull, exact, quantizationOrNull, indexedOnly);
    }

    public SearchRequest withExact(boolean e) {
        return new SearchRequest(vector, filterOrNull, limit, offset, withPayload, withVector, scoreThresholdOrNull,
                hnswEfOrNull, e, quantizationOrNull, indexedOnly);
    }

    public SearchRequest withHnswEf(Integer ef) {
        return new SearchRequest(vector, filterOrNull, limit, offset, withPayload, withVector, scoreThresholdOrNull,
                ef, exact, quantizationOrNull, indexedOnly);
    }

    public SearchRequest withFilter(Filter f) {
        return new SearchRequest(vector, f, limit, offset, withPayload, withVector, scoreThresholdOrNull,
                hnswEfOrNull, exact, quantizationOrNull, indexedOnly);
    }

    /** Copy choosing how int8 codes are used (null: the index's defaults). */
    public SearchRequest withQuantization(QuantizationSearchParams q) {
        return new SearchRequest(vector, filterOrNull, limit, offset, withPayload, withVector, scoreThresholdOrNull,
                hnswEfOrNull, exact, q, indexedOnly);
    }

    /** Copy that searches only indexed segments and segments small enough for an exact scan (or every segment). */
    public SearchRequest withIndexedOnly(boolean only) {
        return new SearchRequest(vector, filterOrNull, limit, offset, withPayload, withVector, scoreThresholdOrNull,
                hnswEfOrNull, exact, quantizationOrNull, only);
    }
}
