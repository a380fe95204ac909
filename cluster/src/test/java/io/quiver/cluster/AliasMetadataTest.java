package io.quiver.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.cluster.ClusterException.Kind;
import io.quiver.cluster.MetadataOperation.AddPeer;
import io.quiver.cluster.MetadataOperation.DeleteCollection;
import io.quiver.cluster.MetadataOperation.UpdateAliases;
import io.quiver.engine.AliasAction;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;

/**
 * Aliases in the cluster metadata without Raft: the transition (in order, all or nothing, Qdrant's rejections), a
 * deleted collection taking its aliases along, collection names an alias holds, the operation codec, and the snapshot
 * file, also one written before aliases existed.
 */
class AliasMetadataTest {

    private static ClusterMetadata twoCollections() {
        return ClusterMetadata.empty()
                .apply(new AddPeer(1, "http://127.0.0.1:7001", NodeType.Normal))
                .apply(TestCluster.createCollection("c1", 1))
                .apply(TestCluster.createCollection("c2", 1));
    }

    @Test
    void aliasesChangeAllOrNothingAndGoWithTheirCollection() {
        ClusterMetadata state = twoCollections().apply(new UpdateAliases(List.of(
                new AliasAction.Create("c1", "prod"), new AliasAction.Create("c2", "next"),
                new AliasAction.Rename("next", "staging"))));
        assertEquals(Map.of("prod", "c1", "staging", "c2"), state.aliases().asMap());

        MetadataRejectedException missing = assertThrows(MetadataRejectedException.class, () -> state.apply(
                new UpdateAliases(List.of(new AliasAction.Delete("prod"), new AliasAction.Create("nope", "prod")))));
        assertEquals(Kind.NOT_FOUND, missing.kind());
        assertEquals("Not found: Collection `nope` doesn't exist!", missing.getMessage());
        MetadataRejectedException clash = assertThrows(MetadataRejectedException.class, () -> state.apply(
                new UpdateAliases(List.of(new AliasAction.Create("c1", "c2")))));
        assertEquals(Kind.CONFLICT, clash.kind());
        assertEquals("Wrong input: Collection `c2` already exists!", clash.getMessage());
        assertEquals(Kind.NOT_FOUND, assertThrows(MetadataRejectedException.class, () -> state.apply(
                new UpdateAliases(List.of(new AliasAction.Rename("gone", "x"))))).kind());

        MetadataRejectedException taken = assertThrows(MetadataRejectedException.class,
                () -> state.apply(TestCluster.createCollection("prod", 1)));
        assertEquals(Kind.BAD_REQUEST, taken.kind());
        assertEquals("Can't create collection with name prod. Alias with the same name already exists",
                taken.getMessage());

        ClusterMetadata deleted = state.apply(new DeleteCollection("c1"));
        assertEquals(Map.of("staging", "c2"), deleted.aliases().asMap());
        assertEquals(Map.of("prod", "c1", "staging", "c2"), state.aliases().asMap(), "the old state is untouched");
        assertFalse(deleted.equals(state.apply(new DeleteCollection("c2"))), "aliases take part in equality");
    }

    @Test
    void theOperationCodecKeepsEveryAction() {
        UpdateAliases op = new UpdateAliases(List.of(new AliasAction.Create("c", "a"), new AliasAction.Delete("b"),
                new AliasAction.Rename("a", "b")));
        assertEquals(op, MetadataOperationCodec.decode(MetadataOperationCodec.encode(op, 42)));
        assertEquals(42, MetadataOperationCodec.decodeProposal(MetadataOperationCodec.encode(op, 42)).proposalId());
        String json = new String(MetadataOperationCodec.encode(op), 1, MetadataOperationCodec.encode(op).length - 1,
                StandardCharsets.UTF_8);
        assertTrue(json.contains("\"create_alias\":{\"collection_name\":\"c\",\"alias_name\":\"a\"}"), json);
        assertThrows(IllegalArgumentException.class, () -> MetadataOperationCodec.decode(
                ("\u0001{\"type\":\"update_aliases\",\"actions\":[{\"drop_alias\":{}}]}")
                        .getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void snapshotsKeepAliasesAndOldSnapshotsHaveNone() throws Exception {
        ClusterMetadata state = twoCollections().apply(new UpdateAliases(List.of(
                new AliasAction.Create("c1", "prod"))));
        MetadataSnapshotFile.Content content = MetadataSnapshotFile.decode(
                MetadataSnapshotFile.encode(9, state, new long[] {5}));
        assertEquals(state, content.metadata());
        assertEquals(Map.of("prod", "c1"), content.metadata().aliases().asMap());

        // a snapshot written before aliases existed has no "aliases" key
        ObjectNode old = twoCollections().toJson();
        old.remove("aliases");
        old.putArray("applied_proposals").add(5);
        MetadataSnapshotFile.Content legacy = MetadataSnapshotFile.decode(legacySnapshot(9, old));
        assertEquals(twoCollections(), legacy.metadata());
        assertTrue(legacy.metadata().aliases().isEmpty());
    }

    /** The bytes of a snapshot file of format version 1 holding {@code json}, as written before aliases existed. */
    private static byte[] legacySnapshot(long appliedIndex, ObjectNode json) throws Exception {
        byte[] raw = TestCluster.MAPPER.writeValueAsBytes(json);
        var compressor = LZ4Factory.fastestInstance().fastCompressor();
        byte[] block = new byte[compressor.maxCompressedLength(raw.length)];
        int blockLength = compressor.compress(raw, 0, raw.length, block, 0, block.length);
        ByteBuffer out = ByteBuffer.allocate(24 + blockLength + 4).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MetadataSnapshotFile.MAGIC).putInt(1).putLong(appliedIndex).putInt(raw.length).putInt(blockLength);
        out.put(block, 0, blockLength);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }
}
