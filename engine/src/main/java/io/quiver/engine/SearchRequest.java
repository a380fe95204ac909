package io.quiver.engine;

import io.quiver.engine.filter.Filter;
import io.quiver.hnsw.Distance;
import io.quiver.hnsw.QuantizationSearchParams;

/**
 * A top-k search: by a query vector (nearest by the collection's distance) or by an {@link ExampleQuery} (scored
 * against example vectors, larger is better; {@code vector} is then null), with an optional filter, limit/offset,
 * what to return, an optional score threshold (kept: score >= t when higher scores are better — Cosine, Dot and every
 * example query —, score <= t for Euclid/Manhattan nearest searches) and Qdrant's search {@code params}: hnsw_ef,
 * exact, quantization (how an int8 index uses its codes; null: the index's defaults; example queries always score the
 * float vectors) and indexed_only (skip segments that would need an exact scan because they are not indexed yet).
 * Immutable.
 */
public record SearchRequest(float[] vector, Filter filterOrNull, int limit, int offset, WithPayload withPayload,
        boolean withVector, Float scoreThresholdOrNull, Integer hnswEfOrNull, boolean exact,
        QuantizationSearchParams quantizationOrNull, boolean indexedOnly, ExampleQuery exampleQueryOrNull) {
    public SearchRequest {
        if (vector == null && exampleQueryOrNull == null) {
            throw new BadRequestException("search vector is missing");
        }
        if (vector != null && exampleQueryOrNull != null) {
            throw new IllegalArgumentException("a search is by a vector or by an example query, not both");
        }
        if (limit < 0 || offset < 0) {
            throw new BadRequestException("limit and offset must not be negative");
        }
        withPayload = withPayload == null ? WithPayload.NONE : withPayload;
    }

    /** A search by a query vector (no example query). */
    public SearchRequest(float[] vector, Filter filterOrNull, int limit, int offset, WithPayload withPayload,
            boolean withVector, Float scoreThresholdOrNull, Integer hnswEfOrNull, boolean exact,
            QuantizationSearchParams quantizationOrNull, boolean indexedOnly) {
        this(vector, filterOrNull, limit, offset, withPayload, withVector, scoreThresholdOrNull, hnswEfOrNull, exact,
                quantizationOrNull, indexedOnly, null);
    }

    /** True when better hits have higher scores: example queries always, nearest searches under Cosine and Dot. */
    public boolean higherIsBetter(Distance distance) {
        return exampleQueryOrNull != null || distance.higherIsBetter();
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

    /** The plain form of an example query: its top {@code limit} (larger scores first), no payload, no vector. */
    public static SearchRequest byExamples(ExampleQuery query, int limit) {
        return new SearchRequest(null, null, limit, 0, WithPayload.NONE, false, null, null, false, null, false,
                java.util.Objects.requireNonNull(query, "example query"));
    }

    public SearchRequest withPayload(WithPayload w) {
        return new SearchRequest(vector, filterOrNull, limit, offset, w, withVector, scoreThresholdOrNull,
                hnswEfOrNull, exact, quantizationOrNull, indexedOnly, exampleQueryOrNull);
    }

    public SearchRequest withExact(boolean e) {
        return new SearchRequest(vector, filterOrNull, limit, offset, withPayload, withVector, scoreThresholdOrNull,
                hnswEfOrNull, e, quantizationOrNull, indexedOnly, exampleQueryOrNull);
    }

    public SearchRequest withHnswEf(Integer ef) {
        return new SearchRequest(vector, filterOrNull, limit, offset, withPayload, withVector, scoreThresholdOrNull,
                ef, exact, quantizationOrNull, indexedOnly, exampleQueryOrNull);
    }

    public SearchRequest withFilter(Filter f) {
        return new SearchRequest(vector, f, limit, offset, withPayload, withVector, scoreThresholdOrNull,
                hnswEfOrNull, exact, quantizationOrNull, indexedOnly, exampleQueryOrNull);
    }

    /** Copy choosing how int8 codes are used (null: the index's defaults). */
    public SearchRequest withQuantization(QuantizationSearchParams q) {
        return new SearchRequest(vector, filterOrNull, limit, offset, withPayload, withVector, scoreThresholdOrNull,
                hnswEfOrNull, exact, q, indexedOnly, exampleQueryOrNull);
    }

    /** Copy that searches only indexed segments and segments small enough for an exact scan (or every segment). */
    public SearchRequest withIndexedOnly(boolean only) {
        return new SearchRequest(vector, filterOrNull, limit, offset, withPayload, withVector, scoreThresholdOrNull,
                hnswEfOrNull, exact, quantizationOrNull, only, exampleQueryOrNull);
    }
}
