package io.quiver.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.hnsw.Distance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Qdrant's alias transition ({@link Aliases#apply}: order, errors, all or nothing) and the aliases of an embedded
 * {@link Quiver}: resolution, persistence across a reopen, a deleted collection taking its aliases along, and the
 * name clashes between collections and aliases.
 */
class AliasesTest {
    @TempDir
    Path storage;

    private static final Set<String> COLLECTIONS = Set.of("c1", "c2");

    private static Aliases apply(Aliases aliases, AliasAction... actions) {
        return aliases.apply(List.of(actions), COLLECTIONS::contains);
    }

    @Test
    void actionsApplyInOrderAndCreateRepointsAnExistingAlias() {
        Aliases a = apply(Aliases.empty(), new AliasAction.Create("c1", "prod"), new AliasAction.Create("c1", "x"),
                new AliasAction.Rename("x", "y"), new AliasAction.Create("c2", "prod"));
        assertEquals(Map.of("prod", "c2", "y", "c1"), a.asMap());
        assertEquals(List.of("y"), a.aliasesOf("c1"));
        // a delete of an unknown alias is no error; a rename onto an existing alias replaces it
        Aliases b = apply(a, new AliasAction.Delete("nope"), new AliasAction.Rename("y", "prod"));
        assertEquals(Map.of("prod", "c1"), b.asMap());
        // create then delete in one request: nothing is left, and an unchanged value is returned as is
        assertSame(b, apply(b, new AliasAction.Create("c2", "tmp"), new AliasAction.Delete("tmp")));
    }

    @Test
    void aFailingActionFailsTheWholeRequestWithQdrantsErrors() {
        Aliases a = apply(Aliases.empty(), new AliasAction.Create("c1", "prod"));
        NotFoundException missing = assertThrows(NotFoundException.class, () -> apply(a,
                new AliasAction.Delete("prod"), new AliasAction.Create("nope", "prod")));
        assertEquals("Not found: Collection `nope` doesn't exist!", missing.getMessage());
        AlreadyExistsException clash = assertThrows(AlreadyExistsException.class, () -> apply(a,
                new AliasAction.Create("c1", "other"), new AliasAction.Create("c1", "c2")));
        assertEquals("Wrong input: Collection `c2` already exists!", clash.getMessage());
        NotFoundException noAlias = assertThrows(NotFoundException.class, () -> apply(a,
                new AliasAction.Rename("prod", "p2"), new AliasAction.Rename("prod", "p3")));
        assertEquals("Not found: Alias prod does not exists!", noAlias.getMessage());
        // an alias is no collection: it cannot be the target of another alias
        assertThrows(NotFoundException.class, () -> apply(a, new AliasAction.Create("prod", "second")));
        assertEquals(Map.of("prod", "c1"), a.asMap(), "the value a failed request started from is unchanged");
    }

    @Test
    void aliasesResolveSurviveAReopenAndGoWithTheirCollection() {
        try (Quiver q = Quiver.open(storage)) {
            Collection c1 = q.createCollection("c1", CollectionConfig.of(4, Distance.DOT));
            q.createCollection("c2", CollectionConfig.of(4, Distance.DOT));
            q.updateAliases(List.of(new AliasAction.Create("c1", "prod"), new AliasAction.Create("c2", "next")));
            assertSame(c1, q.resolveCollection("prod").orElseThrow());
            assertSame(c1, q.resolveCollection("c1").orElseThrow());
            assertTrue(q.findCollection("prod").isEmpty(), "findCollection does not resolve aliases");
            assertTrue(q.resolveCollection("nope").isEmpty());
        }
        try (Quiver q = Quiver.open(storage)) {
            assertEquals(Map.of("prod", "c1", "next", "c2"), q.aliases().asMap());
            assertEquals("c1", q.resolveCollection("prod").orElseThrow().name());
            // deleting through an alias deletes nothing; deleting the collection drops its aliases
            assertFalse(q.deleteCollection("prod"));
            assertTrue(q.deleteCollection("c1"));
            assertEquals(Map.of("next", "c2"), q.aliases().asMap());
            assertTrue(q.resolveCollection("prod").isEmpty());
        }
        try (Quiver q = Quiver.open(storage)) {
            assertEquals(Map.of("next", "c2"), q.aliases().asMap(), "the drop was persisted");
            // a collection of the name is no longer shadowed by the dropped alias; a new collection may take it
            q.createCollection("prod", CollectionConfig.of(4, Distance.DOT));
            assertEquals("prod", q.resolveCollection("prod").orElseThrow().name());
        }
    }

    @Test
    void collectionsAndAliasesDoNotTakeEachOthersNames() {
        try (Quiver q = Quiver.open(storage)) {
            q.createCollection("c1", CollectionConfig.of(4, Distance.DOT));
            q.createCollection("c2", CollectionConfig.of(4, Distance.DOT));
            q.updateAliases(List.of(new AliasAction.Create("c1", "prod")));
            BadRequestException taken = assertThrows(BadRequestException.class,
                    () -> q.createCollection("prod", CollectionConfig.of(4, Distance.DOT)));
            assertEquals("Wrong input: Can't create collection with name prod. Alias with the same name already "
                    + "exists", taken.getMessage());
            assertFalse(Files.exists(storage.resolve("collections").resolve("prod")));
            assertThrows(AlreadyExistsException.class,
                    () -> q.updateAliases(List.of(new AliasAction.Create("c1", "c2"))));
            // a rename is not checked against collections (Qdrant does not): the alias then shadows collection c2
            q.updateAliases(List.of(new AliasAction.Rename("prod", "c2")));
            assertEquals("c1", q.resolveCollection("c2").orElseThrow().name());
            assertEquals("c2", q.collection("c2").name());
        }
    }

    @Test
    void aFailedRequestChangesNothingOnDisk() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            q.createCollection("c1", CollectionConfig.of(4, Distance.DOT));
            q.updateAliases(List.of(new AliasAction.Create("c1", "prod")));
            String before = Files.readString(storage.resolve(AliasStore.FILE));
            assertThrows(NotFoundException.class, () -> q.updateAliases(List.of(new AliasAction.Delete("prod"),
                    new AliasAction.Create("c1", "x"), new AliasAction.Rename("missing", "y"))));
            assertEquals(Map.of("prod", "c1"), q.aliases().asMap());
            assertEquals(before, Files.readString(storage.resolve(AliasStore.FILE)));
        }
    }

    @Test
    void anAliasWhoseCollectionIsGoneIsDroppedOnOpen() throws Exception {
        try (Quiver q = Quiver.open(storage)) {
            q.createCollection("c1", CollectionConfig.of(4, Distance.DOT));
            q.createCollection("c2", CollectionConfig.of(4, Distance.DOT));
            q.updateAliases(List.of(new AliasAction.Create("c1", "a1"), new AliasAction.Create("c2", "a2")));
        }
        try (var walk = Files.walk(storage.resolve("collections").resolve("c2"))) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        try (Quiver q = Quiver.open(storage)) {
            assertEquals(Map.of("a1", "c1"), q.aliases().asMap());
        }
    }

    @Test
    void anUnreadableAliasesFileStopsTheOpen() throws Exception {
        Files.writeString(storage.resolve(AliasStore.FILE), "{\"format_version\":7,\"aliases\":{}}");
        StorageException e = assertThrows(StorageException.class, () -> Quiver.open(storage).close());
        assertTrue(e.getMessage().contains(AliasStore.FILE), e.getMessage());
    }
}
