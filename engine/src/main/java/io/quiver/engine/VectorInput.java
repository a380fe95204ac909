package io.quiver.engine;

import io.quiver.hnsw.Distance;

/**
 * Checks a vector a request brings (a point's or a query's) and puts it in the form the shards store and search:
 * unit length under cosine distance, then each value as the vector's {@code datatype} holds it (Qdrant converts
 * stored and query vectors alike: {@code float16} rounds to half precision, {@code uint8} casts as Rust's
 * {@code x as u8} does, truncating toward zero and saturating at 0 and 255). Quiver keeps the converted values in
 * float32. Threading: stateless; the given array is never changed.
 */
final class VectorInput {
    private VectorInput() {}

    /**
     * {@code v} checked against the vector's dimension (BadRequest when missing, of another dimension or not finite),
     * normalized to unit length (a copy) under cosine distance, then converted to the vector's datatype (a copy).
     */
    static float[] prepare(float[] v, CollectionConfig.VectorParams params) {
        float[] checked = check(v, params.size());
        float[] stored = params.distance() == Distance.COSINE ? normalized(checked) : checked;
        return switch (params.datatypeOrNull()) {
            case "float16" -> asFloat16(stored);
            case "uint8" -> asUint8(stored);
            case null, default -> stored;
        };
    }

    /**
     * Each value rounded to half precision. A value beyond float16's range (it would round to infinity, which no
     * score survives) is a BadRequest, where Qdrant would store the infinity.
     */
    private static float[] asFloat16(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.float16ToFloat(Float.floatToFloat16(v[i]));
            if (Float.isInfinite(out[i])) {
                throw new BadRequestException("Vector value " + v[i] + " is out of the float16 range (±65504)");
            }
        }
        return out;
    }

    private static float[] asUint8(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.clamp((long) v[i], 0, 255); // (long) truncates toward zero; v[i] is finite
        }
        return out;
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
