package io.quiver.hnsw;

import java.lang.foreign.MemorySegment;

/**
 * The four distances of Qdrant. Scores follow Qdrant: COSINE and DOT report the dot product (COSINE vectors are
 * unit vectors, normalised at insert), larger is better; EUCLID reports the Euclidean distance (not squared) and
 * MANHATTAN the L1 distance, smaller is better. Internally the index ranks by a <em>similarity</em> where larger is
 * always better ({@link #similarity}: dot, or the negated squared/L1 distance) and converts with {@link #toScore}.
 * Stateless and threadsafe.
 */
public enum Distance {
    COSINE, DOT, EUCLID, MANHATTAN;

    /** True for COSINE and DOT, whose scores grow with likeness; false for the distances. */
    public boolean higherIsBetter() {
        return this == COSINE || this == DOT;
    }

    /** Qdrant's reported score of two vectors (COSINE expects unit vectors). */
    public float score(float[] a, float[] b) {
        return toScore(similarity(a, b));
    }

    /** Qdrant's reported score of two vectors held in memory segments (float32 little-endian). */
    public float score(MemorySegment a, long aOffsetBytes, MemorySegment b, long bOffsetBytes, int dim) {
        return toScore(similarity(a, aOffsetBytes, b, bOffsetBytes, dim));
    }

    /** Internal ranking value, larger is better: dot, or minus squared Euclidean, or minus L1. */
    public float similarity(float[] a, float[] b) {
        return switch (this) {
            case COSINE, DOT -> VectorKernels.dot(a, b);
            case EUCLID -> -VectorKernels.squareDistance(a, b);
            case MANHATTAN -> -VectorKernels.manhattan(a, b);
        };
    }

    /** Internal ranking value of two vectors in segments. */
    public float similarity(MemorySegment a, long aOffsetBytes, MemorySegment b, long bOffsetBytes, int dim) {
        KernelSupport k = VectorKernels.active();
        return switch (this) {
            case COSINE, DOT -> k.dot(a, aOffsetBytes, b, bOffsetBytes, dim);
            case EUCLID -> -k.squareDistance(a, aOffsetBytes, b, bOffsetBytes, dim);
            case MANHATTAN -> -k.manhattan(a, aOffsetBytes, b, bOffsetBytes, dim);
        };
    }

    /** Internal ranking value of a heap query against a vector in a segment. */
    public float similarity(float[] query, MemorySegment b, long bOffsetBytes) {
        KernelSupport k = VectorKernels.active();
        return switch (this) {
            case COSINE, DOT -> k.dot(query, b, bOffsetBytes);
            case EUCLID -> -k.squareDistance(query, b, bOffsetBytes);
            case MANHATTAN -> -k.manhattan(query, b, bOffsetBytes);
        };
    }

    /** Converts an internal similarity to Qdrant's reported score. */
    public float toScore(float similarity) {
        return switch (this) {
            case COSINE, DOT -> similarity;
            case EUCLID -> (float) Math.sqrt(Math.max(0f, -similarity));
            case MANHATTAN -> -similarity;
        };
    }

    /** Converts a Qdrant score (e.g. a score threshold) to the internal similarity. */
    public float toSimilarity(float score) {
        return switch (this) {
            case COSINE, DOT -> score;
            case EUCLID -> -score * score;
            case MANHATTAN -> -score;
        };
    }

    /** True when {@code a} is a better score than {@code b} in Qdrant's convention. */
    public boolean isBetter(float a, float b) {
        return higherIsBetter() ? a > b : a < b;
    }
}
