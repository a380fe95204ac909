package io.quiver.hnsw;

/**
 * Build parameters of an HNSW graph (immutable value).
 *
 * @param m          links per node on upper layers; layer 0 keeps {@code 2*m}. Larger: better recall, more memory and
 *                   slower build. Qdrant's and Lucene's default is 16.
 * @param efConstruct candidate list size while inserting; larger: better graph, slower build. Default 100.
 * @param seed       seed of the level generator, so that builds are reproducible
 */
public record HnswParams(int m, int efConstruct, long seed) {

    public HnswParams {
        if (m < 2 || m > 512) {
            throw new IllegalArgumentException("m must be in 2..512, got " + m);
        }
        if (efConstruct < 1) {
            throw new IllegalArgumentException("efConstruct must be >= 1, got " + efConstruct);
        }
    }

    /** m=16, efConstruct=100, a fixed seed. */
    public static HnswParams defaults() {
        return new HnswParams(16, 100, 42L);
    }

    /** Copy with another m. */
    public HnswParams withM(int newM) {
        return new HnswParams(newM, efConstruct, seed);
    }

    /** Copy with another efConstruct. */
    public HnswParams withEfConstruct(int newEfConstruct) {
        return new HnswParams(m, newEfConstruct, seed);
    }

    /** Copy with another seed. */
    public HnswParams withSeed(long newSeed) {
        return new HnswParams(m, efConstruct, newSeed);
    }

    /** Links kept per node on layer 0. */
    public int maxLinks0() {
        return 2 * m;
    }

    /** Level multiplier {@code 1/ln(m)} of the level generator. */
    public double levelMultiplier() {
        return 1.0 / Math.log(m);
    }
}
