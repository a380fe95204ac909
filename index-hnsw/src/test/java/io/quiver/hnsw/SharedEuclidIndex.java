package io.quiver.hnsw;

/**
 * Test fixture: the fashion-mnist-10k vectors and one 2-thread Euclid float index over them, built once per test JVM
 * on first use and shared read-only by the test classes that only search it (searches are threadsafe). Never closed:
 * its off-heap memory goes with the test JVM.
 */
final class SharedEuclidIndex {
    static final TestVectors DATA = TestVectors.fashionMnist10k();
    static final OffHeapVectorStore STORE = OffHeapVectorStore.copyOf(DATA.base, false);
    static final HnswIndex INDEX = HnswIndex.build(STORE, Distance.EUCLID, HnswParams.defaults(), 2);

    private SharedEuclidIndex() {
    }
}
