package io.quiver.wal;

/** The seed of a randomized test: {@code -Dquiver.seed=} if given, else a fresh one; printed so a run can be repeated. */
final class TestSeeds {
    private TestSeeds() {
    }

    static long seed(String test) {
        String given = System.getProperty("quiver.seed");
        long seed = given != null && !given.isBlank() ? Long.parseLong(given.trim()) : System.nanoTime();
        System.out.println(test + ": seed " + seed + " (repeat with -Dquiver.seed=" + seed + ")");
        return seed;
    }
}
