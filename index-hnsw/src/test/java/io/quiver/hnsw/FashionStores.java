package io.quiver.hnsw;

/**
 * The fashion-mnist-10k test set ({@link TestVectors}) copied into two off-heap stores: the raw vectors for EUCLID and
 * unit vectors for COSINE. Owned by one test class, which closes it after its tests.
 */
final class FashionStores implements AutoCloseable {

    final TestVectors data = TestVectors.fashionMnist10k();
    final OffHeapVectorStore euclid = OffHeapVectorStore.copyOf(data.base, false);
    final OffHeapVectorStore cosine = OffHeapVectorStore.copyOf(data.base, true);

    /** The store a {@code distance} index is built on. */
    OffHeapVectorStore of(Distance distance) {
        return distance == Distance.COSINE ? cosine : euclid;
    }

    @Override
    public void close() {
        euclid.close();
        cosine.close();
    }
}
