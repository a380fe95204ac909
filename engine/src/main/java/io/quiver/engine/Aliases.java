package io.quiver.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Qdrant's collection aliases: alternative names of collections, alias name → collection name, and the transition of
 * one {@code POST /collections/aliases} request. Immutable: {@link #apply} returns a new value, so a reader holding one
 * sees a whole request's changes or none. The transition is deterministic (cluster nodes apply it in log order and
 * reach equal values). Threadsafe.
 */
public final class Aliases {
    private static final Aliases EMPTY = new Aliases(new TreeMap<>());

    private final SortedMap<String, String> collectionOf;

    private Aliases(SortedMap<String, String> collectionOf) {
        this.collectionOf = Collections.unmodifiableSortedMap(collectionOf);
    }

    /** No aliases. */
    public static Aliases empty() {
        return EMPTY;
    }

    /** The aliases of {@code aliasToCollection} (copied). */
    public static Aliases of(Map<String, String> aliasToCollection) {
        return aliasToCollection.isEmpty() ? EMPTY : new Aliases(new TreeMap<>(aliasToCollection));
    }

    /** Every alias → its collection, by alias name. */
    public SortedMap<String, String> asMap() {
        return collectionOf;
    }

    public boolean isEmpty() {
        return collectionOf.isEmpty();
    }

    /** The collection {@code alias} names, or null when it is no alias. */
    public String collectionOf(String alias) {
        return collectionOf.get(alias);
    }

    /** The aliases of one collection, by name. */
    public List<String> aliasesOf(String collection) {
        List<String> out = new ArrayList<>();
        collectionOf.forEach((alias, target) -> {
            if (target.equals(collection)) {
                out.add(alias);
            }
        });
        return out;
    }

    /**
     * Applies a request's actions in order, all or nothing: the first action that fails throws and nothing is
     * changed. As Qdrant words and checks them: {@code create_alias} needs an existing collection (NotFound
     * "Collection `c` doesn't exist!"; an alias does not count) and an alias name that names no collection
     * (AlreadyExists "Collection `a` already exists!"), and re-points an alias that exists; {@code delete_alias} of
     * an unknown alias does nothing; {@code rename_alias} needs the old alias (NotFound "Alias a does not exists!")
     * and replaces an alias of the new name (Qdrant checks no collection of that name there).
     *
     * @param isCollection whether a collection of that name exists
     */
    public Aliases apply(List<? extends AliasAction> actions, Predicate<String> isCollection) {
        TreeMap<String, String> next = new TreeMap<>(collectionOf);
        for (AliasAction action : actions) {
            switch (action) {
                case AliasAction.Create create -> {
                    if (!isCollection.test(create.collectionName())) {
                        throw NotFoundException.collection(create.collectionName());
                    }
                    if (isCollection.test(create.aliasName())) {
                        throw new AlreadyExistsException(create.aliasName());
                    }
                    JsonText.requireWellFormed(create.aliasName(), "alias_name"); // aliases are stored as JSON
                    next.put(create.aliasName(), create.collectionName());
                }
                case AliasAction.Delete delete -> next.remove(delete.aliasName());
                case AliasAction.Rename rename -> {
                    JsonText.requireWellFormed(rename.newAliasName(), "new_alias_name");
                    String target = next.remove(rename.oldAliasName());
                    if (target == null) {
                        throw new NotFoundException("Alias " + rename.oldAliasName() + " does not exists!");
                    }
                    next.put(rename.newAliasName(), target);
                }
            }
        }
        return next.equals(collectionOf) ? this : new Aliases(next);
    }

    /** These aliases without those of {@code collection} (a deleted collection takes its aliases along). */
    public Aliases withoutCollection(String collection) {
        if (!collectionOf.containsValue(collection)) {
            return this;
        }
        TreeMap<String, String> next = new TreeMap<>(collectionOf);
        next.values().removeIf(collection::equals);
        return new Aliases(next);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Aliases a && collectionOf.equals(a.collectionOf);
    }

    @Override
    public int hashCode() {
        return collectionOf.hashCode();
    }

    @Override
    public String toString() {
        return collectionOf.toString();
    }
}
