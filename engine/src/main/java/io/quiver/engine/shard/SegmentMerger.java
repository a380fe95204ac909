package io.quiver.engine.shard;

import io.quiver.engine.PointId;
import io.quiver.engine.segment.Segment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The merge and vacuum optimizer of a shard: picks the smallest indexed segments to merge (Qdrant's merge optimizer: keep at
 * most {@code targetSegments} sealed segments, never exceed {@code maxSegmentVectors}), and copies their live points
 * into
 * one new sealed segment. The shard builds the new segment's index and swaps it in under its write lock
 * ({@link Shard}); points changed meanwhile are reconciled there by version. Stateless; the copy runs on the indexing
 * executor and reads only the sources' immutable vectors plus a {@link Plan} captured under the shard's read lock.
 */
final class SegmentMerger {
    private SegmentMerger() {}

    /**
     * The live points of the sources at capture time: for new ordinal j, where it came from, its version, payload and
     * whether it has a vector.
     */
    record Plan(List<Segment> sources, Segment[] fromSegment, int[] fromOrd, PointId[] ids, long[] versions,
            byte[][] payloads, boolean[] hasVector) {
        int size() {
            return ids.length;
        }
    }

    /** The sources of the next merge, or an empty list. Call with the shard's read (or write) lock held. */
    static List<Segment> pick(List<Segment> segments, ShardSettings s) {
        if (s.targetSegments() <= 0) {
            return List.of();
        }
        List<Segment> sealed = new ArrayList<>();
        for (Segment seg : segments) {
            if (seg.isSealed() && seg.index() != null) {
                sealed.add(seg);
            }
        }
        long allSealed = segments.stream().filter(Segment::isSealed).count();
        if (allSealed <= s.targetSegments() || sealed.size() < 2) {
            return vacuumCandidate(sealed, s);
        }
        sealed.sort(Comparator.comparingInt(Segment::liveCount));
        // merge just enough of the smallest segments to get back to the target (as Qdrant's merge optimizer does), so
        // a big segment is not rewritten for every small one that gets sealed
        int wanted = (int) Math.min(sealed.size(), allSealed - s.targetSegments() + 1);
        List<Segment> pick = new ArrayList<>();
        long total = 0;
        for (Segment seg : sealed) {
            if (pick.size() >= Math.max(2, wanted) || total + seg.liveCount() > s.maxSegmentVectors()) {
                break;
            }
            pick.add(seg);
            total += seg.liveCount();
        }
        return pick.size() >= 2 ? pick : vacuumCandidate(sealed, s);
    }

    /**
     * Qdrant's vacuum optimizer: a sealed, indexed segment with at least {@code vacuumMinVectors} vectors of which more
     * than {@code deletedThreshold} are deleted is rewritten alone (a merge of one source drops its deleted points).
     */
    private static List<Segment> vacuumCandidate(List<Segment> sealed, ShardSettings s) {
        for (Segment seg : sealed) {
            int count = seg.count();
            if (count >= s.vacuumMinVectors() && count > 0
                    && (count - seg.liveCount()) > s.deletedThreshold() * count) {
                return List.of(seg);
            }
        }
        return List.of();
    }

    /** Captures the live points of the sources. Call with the shard's read (or write) lock held. */
    static Plan plan(List<Segment> sources) {
        int n = 0;
        for (Segment seg : sources) {
            n += seg.liveCount();
        }
        Segment[] from = new Segment[n];
        int[] ords = new int[n];
        PointId[] ids = new PointId[n];
        long[] versions = new long[n];
        byte[][] payloads = new byte[n][];
        boolean[] hasVector = new boolean[n];
        int j = 0;
        for (Segment seg : sources) {
            for (int ord = 0; ord < seg.count(); ord++) {
                if (!seg.isDeleted(ord)) {
                    from[j] = seg;
                    ords[j] = ord;
                    ids[j] = seg.idAt(ord);
                    versions[j] = seg.versionAt(ord);
                    payloads[j] = seg.payloadAt(ord);
                    hasVector[j] = seg.hasVector(ord);
                    j++;
                }
            }
        }
        return new Plan(List.copyOf(sources), from, ords, ids, versions, payloads, hasVector);
    }

    /** Writes the plan's points into a new segment under {@code segmentsDir} and seals it (no lock needed). */
    static Segment copy(Plan plan, Path segmentsDir, int dim) {
        Segment merged = Segment.create(segmentsDir, dim, Math.max(plan.size(), 1));
        try {
            for (int j = 0; j < plan.size(); j++) {
                float[] vector = plan.hasVector()[j] ? plan.fromSegment()[j].vectorAt(plan.fromOrd()[j]) : null;
                merged.append(plan.ids()[j], vector, plan.payloads()[j], plan.versions()[j]);
            }
            merged.seal();
            return merged;
        } catch (RuntimeException e) {
            merged.close();
            merged.deleteFiles();
            throw e;
        }
    }
}
