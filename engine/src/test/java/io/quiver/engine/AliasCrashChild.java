package io.quiver.engine;

import io.quiver.hnsw.Distance;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The child JVM of {@link AliasCrashTest}: opens the storage, creates collections {@code c0} and {@code c1} if
 * missing, prints READY, then switches one alias forever: step {@code k} creates {@code v<k>} on {@code c<k % 2>}
 * and deletes {@code v<k-1>} in one request, and appends {@code k} to {@code <storage>/alias-acks.log} once the
 * request returned, until it is killed. It continues from the step the storage holds. Args: storageDir.
 * Single-threaded.
 */
public final class AliasCrashChild {
    private AliasCrashChild() {}

    /** The aliases after step {@code k}. */
    static java.util.Map<String, String> stateAfter(long k) {
        return k == 0 ? java.util.Map.of() : java.util.Map.of("v" + k, "c" + (k % 2));
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Quiver q = Quiver.open(dir);
        for (String c : List.of("c0", "c1")) {
            if (q.findCollection(c).isEmpty()) {
                q.createCollection(c, CollectionConfig.of(4, Distance.DOT));
            }
        }
        long k = q.aliases().isEmpty() ? 0 : Long.parseLong(q.aliases().asMap().firstKey().substring(1));
        try (FileOutputStream acks = new FileOutputStream(dir.resolve("alias-acks.log").toFile(), true)) {
            System.out.println("READY");
            System.out.flush();
            while (true) {
                k++;
                q.updateAliases(List.of(new AliasAction.Create("c" + (k % 2), "v" + k),
                        new AliasAction.Delete("v" + (k - 1))));
                acks.write((k + "\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
    }
}
