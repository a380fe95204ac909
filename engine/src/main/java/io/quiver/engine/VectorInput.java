package io.quiver.engine;

import io.quiver.hnsw.Distance;

/**
 * Checks a vector a request brings (a point's or a query's) and puts it in the form the shards store and search:
 * unit length under cosine distance. Threading: stateless; the given array is never changed.
 */
final class VectorInput {
    private VectorInput() {}

    /**
     * {@code v} checked against dimension {@code dim} (BadRequest when missing, of another dimension or not finite),
     * normalized to unit length (a copy) under cosine distance.
     */
    static float[] prepare(float[] v, int dim, Distance distance) {
        float[] checked = check(v, dim);
        return distance == Distance.COSINE ? normalized(checked) : checked;
    }

    private static float[] check(float[] v, int dim) {
        if (v == null) {
            throw new BadRequestException("Vector is missing");
        }
        if (v.length != dim) {
            throw new BadRequestException("Vector dimension error: expected dim: " + dim + ", got " + v.length);
        }
        for (float f : v) {
            if (!Float.isFinite(f)) {
                throw new BadRequestException("Vector contains a non-finite value (NaN or infinity)");
            }
        }
        return v;
    }

    private static float[] normalized(float[] v) {
        double sum = 0;
        for (float f : v) {
            sum += (double) f * f;
        }
        float[] out = v.clone();
        if (sum > 0) {
            float inv = (float) (1.0 / Math.sqrt(sum));
            for (int i = 0; i < out.length; i++) {
                out[i] *= inv;
            }
        }
        return out;
    }
}
