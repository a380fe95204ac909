package io.quiver.engine;

/** The seed of a randomized test: -Dquiver.seed= when given, else fresh; printed so a failure can be replayed. */
final class TestSeeds {
    private TestSeeds() {}

    static long seed(String test) {
        String fixed = System.getProperty("quiver.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        System.out.println(test + ": seed " + seed + " (replay with -Dquiver.seed=" + seed + ")");
        return seed;
    }
}
