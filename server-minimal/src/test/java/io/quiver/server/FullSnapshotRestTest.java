package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Qdrant's full storage snapshots over REST ({@code POST/GET /snapshots}, {@code GET/DELETE /snapshots/{name}}):
 * names, where the files and their {@code .checksum} sidecars live, SHA-256 of what is downloaded, {@code wait=false},
 * 404s, and which API key may do what. Their recovery by a new server is {@link FullSnapshotRecoveryTest}.
 */
class FullSnapshotRestTest extends RestServerTest {
    private static final String NAME = "full-snapshot-\\d{4}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-\\d{2}(-\\d+)?\\.snapshot";

    private void twoCollectionsAndAnAlias() {
        rest.ok("PUT", "/collections/a", "{\"vectors\":{\"size\":4,\"distance\":\"Cosine\"}}");
        rest.ok("PUT", "/collections/a/points?wait=true", "{\"points\":["
                + "{\"id\":1,\"vector\":[0.05,0.61,0.76,0.74],\"payload\":{\"city\":\"Berlin\"}},"
                + "{\"id\":2,\"vector\":[0.19,0.81,0.75,0.11],\"payload\":{\"city\":\"London\"}}]}");
        rest.ok("PUT", "/collections/b", "{\"vectors\":{\"size\":2,\"distance\":\"Dot\"}}");
        rest.ok("PUT", "/collections/b/points?wait=true", "{\"points\":[{\"id\":7,\"vector\":[1,2]}]}");
        rest.ok("POST", "/collections/aliases", "{\"actions\":[{\"create_alias\":"
                + "{\"collection_name\":\"a\",\"alias_name\":\"al\"}}]}");
    }

    @Test
    void createListDownloadAndDeleteWithChecksums() throws Exception {
        twoCollectionsAndAnAlias();
        JsonNode created = rest.ok("POST", "/snapshots", null);
        String name = created.get("name").asText();
        assertTrue(name.matches(NAME), name);
        assertTrue(created.get("creation_time").asText().matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}"),
                created::toString);
        String checksum = created.get("checksum").asText();
        assertTrue(checksum.matches("[0-9a-f]{64}"), checksum);

        Path file = dir.resolve("snapshots").resolve(name);
        assertEquals(Files.size(file), created.get("size").asLong());
        assertEquals(checksum, sha256(Files.readAllBytes(file)), "the description's checksum is the file's SHA-256");
        assertEquals(checksum, Files.readString(dir.resolve("snapshots").resolve(name + ".checksum")).trim(),
                "the sidecar holds the same SHA-256");

        JsonNode listed = rest.ok("GET", "/snapshots", null);
        assertEquals(1, listed.size(), listed::toString);
        assertEquals(created, listed.get(0));

        HttpResponse<byte[]> download = download(name);
        assertEquals(200, download.statusCode());
        assertEquals("application/octet-stream", download.headers().firstValue("Content-Type").orElse(""));
        assertEquals(checksum, sha256(download.body()), "what is downloaded is what the checksum describes");
        assertArrayEquals(Files.readAllBytes(file), download.body());

        // the archive holds every collection's snapshot and the aliases, as Qdrant's config.json maps them
        TreeMap<String, byte[]> entries = unzip(download.body());
        JsonNode config = RestClient.JSON.readTree(entries.get("config.json"));
        assertEquals(List.of("a", "b"), fieldNames(config.get("collections_mapping")));
        assertEquals("{\"al\":\"a\"}", config.get("collections_aliases").toString());
        for (String collection : List.of("a", "b")) {
            String entry = config.get("collections_mapping").get(collection).asText();
            assertTrue(entry.startsWith(collection + "-") && entry.endsWith(".snapshot"), entry);
            assertTrue(entries.get(entry).length > 0, entry);
        }
        assertEquals(3, entries.size(), () -> entries.keySet().toString());

        // nothing is left behind: no collection snapshot, no staging directory
        assertEquals(0, rest.ok("GET", "/collections/a/snapshots", null).size());
        assertEquals(0, rest.ok("GET", "/collections/b/snapshots", null).size());
        Path staging = dir.resolve("snapshots").resolve(".full-snapshot-staging");
        assertTrue(!Files.exists(staging) || isEmpty(staging), "staging emptied");

        String second = rest.ok("POST", "/snapshots?wait=true", null).get("name").asText();
        assertTrue(second.matches(NAME), second);
        assertNotEquals(name, second, "a snapshot within the same second gets a name of its own");
        assertEquals(2, rest.ok("GET", "/snapshots", null).size());

        assertTrue(rest.ok("DELETE", "/snapshots/" + name, null).asBoolean());
        assertFalse(Files.exists(file));
        assertFalse(Files.exists(dir.resolve("snapshots").resolve(name + ".checksum")), "the sidecar goes too");
        assertEquals(404, download(name).statusCode());
        assertTrue(rest.error(404, "DELETE", "/snapshots/" + name, null).contains("not found"));
        JsonNode left = rest.ok("GET", "/snapshots", null);
        assertEquals(1, left.size());
        assertEquals(second, left.get(0).get("name").asText());
        assertTrue(rest.ok("DELETE", "/snapshots/" + second + "?wait=true", null).asBoolean());
        assertEquals(0, rest.ok("GET", "/snapshots", null).size());
    }

    @Test
    void waitFalseAnswers202AndTheWorkHappensInTheBackground() throws Exception {
        twoCollectionsAndAnAlias();
        RestClient.Reply accepted = rest.send("POST", "/snapshots?wait=false", null);
        assertEquals(202, accepted.status(), accepted.body());
        assertEquals("accepted", accepted.json().get("status").asText(), accepted.body());
        assertFalse(accepted.json().has("result"), accepted.body());
        JsonNode listed = rest.eventually("/snapshots", r -> r.size() == 1, "the snapshot", Duration.ofSeconds(30));
        String name = listed.get(0).get("name").asText();
        assertEquals(listed.get(0).get("checksum").asText(), sha256(download(name).body()));

        RestClient.Reply deleting = rest.send("DELETE", "/snapshots/" + name + "?wait=false", null);
        assertEquals(202, deleting.status(), deleting.body());
        rest.eventually("/snapshots", r -> r.isEmpty(), "the deletion", Duration.ofSeconds(30));
        assertFalse(Files.exists(dir.resolve("snapshots").resolve(name)));
    }

    @Test
    void unknownNamesAre404() throws Exception {
        assertEquals(404, download("full-snapshot-2024-01-01-00-00-00.snapshot").statusCode());
        assertEquals(404, download("no-such-file").statusCode(), "a name that is no snapshot name is simply not found");
        rest.error(404, "DELETE", "/snapshots/full-snapshot-2024-01-01-00-00-00.snapshot", null);
        rest.error(404, "DELETE", "/snapshots/no-such-file?wait=false", null);
    }

    @Test
    void anEmptyStorageHasAnEmptySnapshot() throws Exception {
        JsonNode created = rest.ok("POST", "/snapshots", null);
        JsonNode config = RestClient.JSON.readTree(unzip(download(created.get("name").asText()).body())
                .get("config.json"));
        assertEquals(0, config.get("collections_mapping").size());
        assertEquals(0, config.get("collections_aliases").size());
    }

    @Test
    void theReadOnlyKeyListsAndDownloadsButOnlyTheFullKeyCreatesAndDeletes() throws Exception {
        try (QuiverServer guarded = TestServers.start(dir.resolve("keys"), "QUIVER__SERVICE__API_KEY", "full",
                "QUIVER__SERVICE__READ_ONLY_API_KEY", "ro")) {
            RestClient keyed = new RestClient(guarded.port());
            assertEquals(401, keyed.send("GET", "/snapshots", null).status(), "no key");
            keyed.apiKey("ro");
            keyed.error(403, "POST", "/snapshots", null);
            keyed.apiKey("full");
            String name = keyed.ok("POST", "/snapshots", null).get("name").asText();
            keyed.apiKey("ro");
            assertEquals(1, keyed.ok("GET", "/snapshots", null).size());
            assertEquals(200, keyed.send("GET", "/snapshots/" + name, null).status(), "download with the read-only key");
            keyed.error(403, "DELETE", "/snapshots/" + name, null);
            keyed.apiKey("full");
            assertTrue(keyed.ok("DELETE", "/snapshots/" + name, null).asBoolean());
        }
    }

    private HttpResponse<byte[]> download(String name) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/snapshots/" + name)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static TreeMap<String, byte[]> unzip(byte[] archive) throws Exception {
        TreeMap<String, byte[]> out = new TreeMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(archive), StandardCharsets.UTF_8)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                out.put(e.getName(), zip.readAllBytes());
            }
        }
        return out;
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static boolean isEmpty(Path directory) throws Exception {
        try (var children = Files.list(directory)) {
            return children.findAny().isEmpty();
        }
    }
}
