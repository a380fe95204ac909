package io.quiver.engine;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The child JVM of {@link CrashRecoveryTest}: opens the storage, prints READY, then writes batches with wait=true and
 * appends "b" to {@code <storage>/acks.log} after each one returns (a file, not stdout, so no other output can mangle
 * it; written bytes survive a SIGKILL), until it is killed. Args: storageDir seed firstBatch thresholdKb flushMillis.
 */
public final class CrashChild {
    private CrashChild() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        int first = Integer.parseInt(args[2]);
        long thresholdKb = Long.parseLong(args[3]);
        long flushMillis = Long.parseLong(args[4]);
        Quiver q = Quiver.open(dir, EngineOptions.defaults().withFlushInterval(Duration.ofMillis(flushMillis)));
        Collection c = q.findCollection(CrashWorkload.COLLECTION)
                .orElseGet(() -> q.createCollection(CrashWorkload.COLLECTION, CrashWorkload.config()));
        c.updateConfig(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                .set("optimizers_config", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                        .put("indexing_threshold", thresholdKb)));
        try (java.io.FileOutputStream acks = new java.io.FileOutputStream(dir.resolve("acks.log").toFile(), true)) {
            System.out.println("READY");
            System.out.flush();
            for (int b = first; b < first + 1_000_000; b++) {
                CrashWorkload.write(c, seed, b);
                acks.write((b + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                acks.flush();
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        q.close();
    }
}
