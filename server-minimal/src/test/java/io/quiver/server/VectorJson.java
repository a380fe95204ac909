package io.quiver.server;

/**
 * Vectors in REST test bodies: random ones, their JSON text, and unit length as a Cosine collection stores them.
 * Stateless.
 */
final class VectorJson {

    private VectorJson() {
    }

    /** {@code [x0,x1,…]} with Java's float formatting (which Jackson reads back to the same float). */
    static String json(float[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : ",").append(v[i]);
        }
        return b.append(']').toString();
    }

    /** A vector of {@code dim} standard normal components from {@code random}. */
    static float[] gaussian(java.util.Random random, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    /** {@code v} divided by its length, summed in double precision. */
    static float[] unit(float[] v) {
        double n = 0;
        for (float x : v) {
            n += (double) x * x;
        }
        float[] u = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            u[i] = (float) (v[i] / Math.sqrt(n));
        }
        return u;
    }
}
