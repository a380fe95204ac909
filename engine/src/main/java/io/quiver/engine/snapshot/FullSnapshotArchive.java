package io.quiver.engine.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.engine.BadRequestException;
import io.quiver.engine.StorageException;
import io.quiver.engine.shard.PayloadJson;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The full storage snapshot format, after Qdrant's (a tar of one collection snapshot per collection plus a
 * {@code config.json}), as a ZIP file (java.util.zip; every entry carries its CRC32, checked on extraction) with
 * <ul>
 *   <li>one entry per collection, named after its collection snapshot file
 *       ({@code <collection>-<n>-<time>.snapshot}), holding that archive as {@link SnapshotArchive} wrote it (so each
 *       collection's config.json, segments, payload indexes and WAL tail);</li>
 *   <li>{@code config.json}, written last: Qdrant's {@code SnapshotConfig} fields {@code collections_mapping}
 *       (collection name → entry name) and {@code collections_aliases} (alias → collection name), plus
 *       {@code format} ("quiver-full-snapshot") and {@code format_version} (1). An archive without it, with an entry
 *       it does not name, or naming an entry that is missing, is corrupt.</li>
 * </ul>
 * The collection archives are stored uncompressed (they are compressed inside) and checked again, with their own
 * trailers, when each collection is recovered. Stateless; threadsafe.
 */
public final class FullSnapshotArchive {
    static final String FORMAT = "quiver-full-snapshot";
    static final int FORMAT_VERSION = 1;
    static final String CONFIG = "config.json";

    private FullSnapshotArchive() {}

    /**
     * Writes one archive to an output stream, which stays the caller's (a snapshot store closes its file itself, after
     * its checksum). Single thread.
     */
    public static final class Writer implements AutoCloseable {
        private final ZipOutputStream zip;
        private final Map<String, String> mapping = new TreeMap<>();
        private final byte[] buffer = new byte[1 << 16];

        public Writer(OutputStream out) {
            this.zip = new ZipOutputStream(new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }

                @Override
                public void close() throws IOException {
                    out.flush(); // the caller owns the stream
                }
            });
            this.zip.setLevel(Deflater.NO_COMPRESSION);
        }

        /** Adds the snapshot archive of {@code collection}, under its file name. */
        public void addCollection(String collection, Path collectionSnapshot) throws IOException {
            String entry = collectionSnapshot.getFileName().toString();
            if (mapping.containsKey(collection) || mapping.containsValue(entry) || entry.equals(CONFIG)) {
                throw new IllegalArgumentException("collection " + collection + " or entry " + entry + " added twice");
            }
            zip.putNextEntry(new ZipEntry(entry));
            try (InputStream in = Files.newInputStream(collectionSnapshot)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    zip.write(buffer, 0, n);
                }
            }
            zip.closeEntry();
            mapping.put(collection, entry);
        }

        /** Writes {@code config.json} with the collections added and {@code aliases} (alias → collection). */
        public void finish(Map<String, String> aliases) throws IOException {
            ObjectNode config = PayloadJson.MAPPER.createObjectNode();
            config.put("format", FORMAT);
            config.put("format_version", FORMAT_VERSION);
            ObjectNode collections = config.putObject("collections_mapping");
            mapping.forEach(collections::put);
            ObjectNode aliasNode = config.putObject("collections_aliases");
            new TreeMap<>(aliases).forEach(aliasNode::put);
            zip.putNextEntry(new ZipEntry(CONFIG));
            zip.write(PayloadJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
            zip.closeEntry();
            zip.finish();
        }

        @Override
        public void close() throws IOException {
            zip.close();
        }
    }

    /**
     * What an extracted archive holds: each collection's snapshot file (by collection name, sorted) and the aliases
     * (alias → collection).
     */
    public record Contents(Map<String, Path> collections, Map<String, String> aliases) {}

    /**
     * Extracts {@code archive} into {@code target} (created; the collection archives become
     * {@code collection-<i>.snapshot}, never a name taken from the archive) and reads its {@code config.json}. A
     * corrupt or foreign archive is a {@link BadRequestException}; {@code target} is then left partially filled for
     * the caller to delete.
     */
    public static Contents extract(Path archive, Path target) {
        Map<String, Path> entries = new HashMap<>();
        JsonNode config = null;
        try (InputStream raw = Files.newInputStream(archive);
                ZipInputStream zip = new ZipInputStream(new BufferedInputStream(raw, 1 << 16))) {
            Files.createDirectories(target);
            ZipEntry e;
            byte[] buffer = new byte[1 << 16];
            while ((e = zip.getNextEntry()) != null) {
                String name = e.getName();
                if (e.isDirectory() || entries.containsKey(name) || (name.equals(CONFIG) && config != null)) {
                    throw corrupt("unexpected entry " + name);
                }
                if (name.equals(CONFIG)) {
                    config = PayloadJson.MAPPER.readTree(zip.readAllBytes());
                    continue;
                }
                Path out = target.resolve("collection-" + entries.size() + SnapshotStore.SUFFIX);
                try (OutputStream os = Files.newOutputStream(out)) {
                    int n;
                    while ((n = zip.read(buffer)) > 0) { // the ZIP stream checks the entry's CRC32 at its end
                        os.write(buffer, 0, n);
                    }
                }
                entries.put(name, out);
            }
        } catch (ZipException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw corrupt(e.getMessage());
        } catch (java.io.EOFException e) {
            throw corrupt("truncated");
        } catch (IOException e) {
            throw new StorageException("cannot read the storage snapshot " + archive + ": " + e, e);
        }
        if (config == null) {
            throw corrupt("no " + CONFIG + " (not a Quiver storage snapshot)");
        }
        if (!FORMAT.equals(config.path("format").asText()) || config.path("format_version").asInt() != FORMAT_VERSION) {
            throw corrupt("format " + config.path("format") + " version " + config.path("format_version")
                    + ", expected " + FORMAT + " version " + FORMAT_VERSION);
        }
        Map<String, Path> collections = new LinkedHashMap<>();
        Map<String, String> mapping = textMap(config, "collections_mapping");
        for (var m : new TreeMap<>(mapping).entrySet()) {
            Path file = entries.remove(m.getValue());
            if (file == null) {
                throw corrupt("collection " + m.getKey() + " names entry " + m.getValue() + ", which is missing");
            }
            collections.put(m.getKey(), file);
        }
        if (!entries.isEmpty()) {
            throw corrupt("entries " + entries.keySet() + " belong to no collection");
        }
        Map<String, String> aliases = textMap(config, "collections_aliases");
        for (var a : aliases.entrySet()) {
            if (!collections.containsKey(a.getValue())) {
                throw corrupt("alias " + a.getKey() + " names collection " + a.getValue() + ", which is not in it");
            }
        }
        return new Contents(collections, aliases);
    }

    private static Map<String, String> textMap(JsonNode config, String field) {
        JsonNode node = config.path(field);
        if (!node.isObject()) {
            throw corrupt(CONFIG + " has no object " + field);
        }
        Map<String, String> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isTextual()) {
                throw corrupt(CONFIG + " " + field + "." + e.getKey() + " is not a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    private static BadRequestException corrupt(String why) {
        return new BadRequestException("the storage snapshot is corrupt: " + why);
    }
}
