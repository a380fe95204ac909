package io.quiver.engine;

import java.util.Objects;

/**
 * One action of Qdrant's {@code POST /collections/aliases} request ({@code create_alias}, {@code delete_alias},
 * {@code rename_alias}), applied in order by {@link Aliases#apply}. Immutable values; threadsafe.
 */
public sealed interface AliasAction {

    /** Points {@code aliasName} at {@code collectionName} (re-points an existing alias). */
    record Create(String collectionName, String aliasName) implements AliasAction {
        public Create {
            Objects.requireNonNull(collectionName, "collectionName");
            Objects.requireNonNull(aliasName, "aliasName");
        }
    }

    /** Drops {@code aliasName}; an alias that does not exist is no error. */
    record Delete(String aliasName) implements AliasAction {
        public Delete {
            Objects.requireNonNull(aliasName, "aliasName");
        }
    }

    /** Gives the collection of {@code oldAliasName} the name {@code newAliasName} instead (replacing an alias of that name). */
    record Rename(String oldAliasName, String newAliasName) implements AliasAction {
        public Rename {
            Objects.requireNonNull(oldAliasName, "oldAliasName");
            Objects.requireNonNull(newAliasName, "newAliasName");
        }
    }
}
