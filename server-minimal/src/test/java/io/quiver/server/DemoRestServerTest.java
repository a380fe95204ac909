package io.quiver.server;

/**
 * Base of the REST tests around the six-point {@link DemoCollection}: the server accepts JSON bodies of at most
 * 1 MB (so that tests reach that limit cheaply). One server per test method, as {@link RestServerTest}.
 */
abstract class DemoRestServerTest extends RestServerTest {

    @Override
    String[] serverSettings() {
        return new String[] {"QUIVER__SERVICE__MAX_REQUEST_SIZE_MB", "1"};
    }

    void createDemo(String name, String distance) {
        DemoCollection.create(rest, name, distance);
    }

    long count(String name) {
        return DemoCollection.count(rest, name);
    }
}
