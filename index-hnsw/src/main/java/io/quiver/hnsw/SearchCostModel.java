package io.quiver.hnsw;

/**
 * Decides whether a filtered search is cheaper as an exact scan of the accepted points or as a graph search, in the
 * spirit of Qdrant's {@code full_scan_threshold}. A graph search that may only return a fraction {@code p} of the
 * points visits roughly {@code ef / p} accepted-or-not candidates, each expanding up to {@code 2m} neighbours; an exact
 * scan scores each of the {@code cardinality} accepted points once. Stateless.
 */
public final class SearchCostModel {

    /** Qdrant's default full_scan_threshold, in KiB of vector data: below it a segment is always scanned exactly. */
    public static final long DEFAULT_FULL_SCAN_THRESHOLD_KB = 10_000;

    private SearchCostModel() {
    }

    /**
     * True when an exact scan of {@code acceptedCount} points is expected to be cheaper than a graph search of an
     * index of {@code indexSize} points with the given {@code ef} and {@code m} (or when the accepted vectors weigh
     * less than {@code fullScanThresholdKb}).
     */
    public static boolean preferExact(long acceptedCount, int indexSize, int dimension, int ef, int m,
                                      long fullScanThresholdKb) {
        if (acceptedCount <= 0 || indexSize <= 0) {
            return true;
        }
        if (acceptedCount * dimension * 4L / 1024 < fullScanThresholdKb) {
            return true;
        }
        return acceptedCount < estimatedGraphCost(acceptedCount, indexSize, ef, m);
    }

    /** {@link #preferExact(long, int, int, int, int, long)} with Qdrant's default threshold. */
    public static boolean preferExact(long acceptedCount, int indexSize, int dimension, int ef, int m) {
        return preferExact(acceptedCount, indexSize, dimension, ef, m, DEFAULT_FULL_SCAN_THRESHOLD_KB);
    }

    /** Expected distance computations of a filtered graph search (layer 0 dominates; upper layers add log n). */
    public static double estimatedGraphCost(long acceptedCount, int indexSize, int ef, int m) {
        double selectivity = Math.min(1.0, (double) acceptedCount / indexSize);
        double expanded = Math.max(ef, 10) / selectivity;
        return Math.min((double) indexSize, expanded * m) + m * Math.log(Math.max(2, indexSize));
    }
}
