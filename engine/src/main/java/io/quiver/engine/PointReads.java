package io.quiver.engine;

import java.util.List;

/**
 * The two reads that the engine's whole-collection operations ({@link OrderedScroll}, {@link RandomSample}) make of a
 * collection, wherever its points are: a local {@link Collection}, or a collection spread over a cluster's peers.
 * Implementations are threadsafe; the operations call them from the caller's thread only.
 */
public interface PointReads {
    /** A page of points by ascending id from the request's offset, as {@link Collection#scroll} reads it. */
    ScrollResult scroll(ScrollRequest request);

    /** The points with these ids, in request order, missing ones skipped, as {@link Collection#retrieve} reads them. */
    List<Record> retrieve(List<PointId> ids, WithPayload withPayload, boolean withVector);
}
