package io.quiver.engine.shard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.PointId;
import io.quiver.engine.filter.JsonPath;
import io.quiver.engine.segment.Segment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Applies operations to one shard's segments and id tracker: upserts and vector updates (the new vector with the
 * point's current payload) go to the appendable segment, which is sealed and handed to the optimizer once it reaches
 * the indexing threshold; deletes, vector deletes and payload edits change the points where they live. Threading:
 * the update worker (or the opening thread during recovery) only, holding the write lock.
 */
final class OperationApplier {
    private final Path segmentsDir;
    private final ShardSegments segments;
    private final IdTracker tracker;
    private final Supplier<ShardSettings> settings;
    private final ShardOptimizer optimizer;
    private Segment appendable;

    OperationApplier(Path segmentsDir, ShardSegments segments, Supplier<ShardSettings> settings,
            ShardOptimizer optimizer) {
        this.segmentsDir = segmentsDir;
        this.segments = segments;
        this.tracker = segments.tracker();
        this.settings = settings;
        this.optimizer = optimizer;
    }

    /**
     * Recovery: takes the unsealed segment among the opened ones as the appendable one (its graph file, if any, is
     * stale), or creates an empty one.
     */
    void openAppendable(List<Segment> opened) throws IOException {
        for (int i = 0; i < opened.size(); i++) {
            Segment seg = opened.get(i);
            if (!seg.isSealed()) {
                Files.deleteIfExists(seg.dir().resolve(Segment.GRAPH_FILE));
                if (appendable != null) {
                    appendable.seal(); // at most one appendable: seal an older one
                }
                appendable = seg;
            }
        }
        if (appendable == null) {
            ShardSettings st = settings.get();
            appendable = Segment.create(segmentsDir, st.dim(), st.expectedSegmentVectors());
            segments.append(appendable);
        }
    }

    /**
     * Applies one operation as version {@code version} (its operation id: larger than every version it may
     * overwrite, as ids grow along the WAL); idempotent per point through versions. Worker (or recovery) only.
     */
    void apply(Operation op, long version) {
        switch (op) {
            case Operation.Upsert u -> {
                for (Operation.PointData p : u.points()) {
                    IdTracker.Location loc = tracker.get(p.id());
                    if (loc != null) {
                        if (loc.segment().versionAt(loc.ord()) >= version) {
                            continue;
                        }
                        loc.segment().markDeleted(loc.ord());
                    }
                    appendCurrent(p.id(), p.vector(), p.payloadJsonOrNull(), version);
                }
            }
            case Operation.UpdateVectors u -> {
                for (Operation.PointVector p : u.points()) {
                    IdTracker.Location loc = tracker.get(p.id());
                    if (loc == null || loc.segment().versionAt(loc.ord()) >= version) {
                        continue; // absent: checked before logging, so only when replayed over a later delete
                    }
                    byte[] payload = loc.segment().payloadAt(loc.ord());
                    loc.segment().markDeleted(loc.ord());
                    appendCurrent(p.id(), p.vector(), payload, version);
                }
            }
            case Operation.DeleteVectors d -> {
                for (PointId id : d.ids()) {
                    IdTracker.Location loc = tracker.get(id);
                    if (loc != null && loc.segment().versionAt(loc.ord()) < version) {
                        loc.segment().deleteVector(loc.ord(), version);
                    }
                }
            }
            case Operation.Delete d -> {
                for (PointId id : d.ids()) {
                    IdTracker.Location loc = tracker.get(id);
                    if (loc != null && loc.segment().versionAt(loc.ord()) < version) {
                        tracker.remove(id);
                        loc.segment().markDeleted(loc.ord());
                    }
                }
            }
            case Operation.SetPayload s -> {
                ObjectNode patch = PayloadJson.parse(s.payloadJson());
                JsonPath key = s.keyOrNull() == null ? null : PayloadJson.loggedKeyOrNull(s.keyOrNull());
                if (s.keyOrNull() == null || key != null) {
                    editPayloads(s.ids(), version, old -> PayloadJson.merge(old, patch, key));
                }
            }
            case Operation.OverwritePayload o -> editPayloads(o.ids(), version,
                    old -> PayloadJson.parse(o.payloadJson()));
            case Operation.DeletePayloadKeys k -> {
                List<JsonPath> keys = new ArrayList<>(k.keys().size());
                for (String text : k.keys()) {
                    JsonPath key = PayloadJson.loggedKeyOrNull(text);
                    if (key != null) {
                        keys.add(key);
                    }
                }
                editPayloads(k.ids(), version, old -> PayloadJson.deleteKeys(old, keys));
            }
            case Operation.ClearPayload c -> editPayloads(c.ids(), version, old -> null);
            case Operation.PayloadIndex p -> {
                // config.json's payload_schema decides the indexes (see Operation.PayloadIndex); nothing to apply
            }
        }
    }

    /** Appends the current version of a point (its older ordinal, if any, already marked deleted). */
    private void appendCurrent(PointId id, float[] vectorOrNull, byte[] payload, long version) {
        int ord = appendable.append(id, vectorOrNull, payload, version);
        tracker.put(id, appendable, ord);
        if (appendable.count() >= settings.get().indexingThresholdVectors()) {
            sealAndRoll();
        }
    }

    private void editPayloads(List<PointId> ids, long version, UnaryOperator<ObjectNode> edit) {
        for (PointId id : ids) {
            IdTracker.Location loc = tracker.get(id);
            if (loc == null || loc.segment().versionAt(loc.ord()) >= version) {
                continue;
            }
            ObjectNode next = edit.apply(PayloadJson.parse(loc.segment().payloadAt(loc.ord())));
            loc.segment().setPayload(loc.ord(), PayloadJson.toBytes(next), version);
        }
    }

    /** Seals the appendable segment when it holds points and reached the (possibly lowered) indexing threshold. */
    void sealIfThresholdReached() {
        if (appendable.count() > 0 && appendable.count() >= settings.get().indexingThresholdVectors()) {
            sealAndRoll();
        }
    }

    /** Seals the full appendable segment, starts a new one, and queues the sealed one's index build. */
    private void sealAndRoll() {
        Segment full = appendable;
        full.seal();
        ShardSettings st = settings.get();
        appendable = Segment.create(segmentsDir, st.dim(), st.expectedSegmentVectors());
        appendable.payloadIndexes().syncWith(segments.payloadSchema(), new SegmentView(appendable, tracker));
        segments.append(appendable);
        optimizer.scheduleBuild(full);
    }
}
