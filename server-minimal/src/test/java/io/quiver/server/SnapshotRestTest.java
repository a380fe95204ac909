package io.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Collection and shard snapshots over a real socket: create, list, download, recover (by location and by upload,
 * beyond the JSON body limit of 1 MB this server runs with), delete, and the recoveries that are refused and change
 * nothing. One server on 127.0.0.1 per test.
 */
class SnapshotRestTest extends DemoRestServerTest {

    @Test
    void snapshotsCreateListDownloadRecoverDelete() throws Exception {
        createDemo("demo", "Dot");
        JsonNode created = rest.ok("POST", "/collections/demo/snapshots?wait=true", null);
        String name = created.get("name").asText();
        assertTrue(name.startsWith("demo-") && name.endsWith(".snapshot"), name);
        assertTrue(created.get("size").asLong() > 0);
        String checksum = created.get("checksum").asText();
        assertEquals(64, checksum.length(), created.toString());
        JsonNode listed = rest.ok("GET", "/collections/demo/snapshots", null);
        assertEquals(name, listed.get(0).get("name").asText());

        java.net.http.HttpResponse<byte[]> download = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port()
                        + "/collections/demo/snapshots/" + name)).timeout(java.time.Duration.ofSeconds(30)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, download.statusCode());
        assertEquals(created.get("size").asLong(), download.body().length, "downloaded archive has the listed size");
        assertEquals(checksum, java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(download.body())), "download matches its checksum");
        rest.error(404, "GET", "/collections/demo/snapshots/nope.snapshot", null);

        Path file = dir.resolve("snapshots").resolve("demo").resolve(name);
        assertTrue(java.nio.file.Files.exists(file), file.toString());
        String location = file.toUri().toString();
        rest.error(400, "PUT", "/collections/copy/snapshots/recover",
                "{\"location\":\"" + location + "\",\"checksum\":\"" + "0".repeat(64) + "\"}");
        assertFalse(rest.ok("GET", "/collections/copy/exists", null).get("exists").asBoolean(),
                "a checksum mismatch creates nothing");
        assertTrue(rest.ok("PUT", "/collections/copy/snapshots/recover",
                "{\"location\":\"" + location + "\",\"checksum\":\"" + checksum + "\"}").asBoolean());
        assertEquals(6, count("copy"));
        assertEquals("Moscow", rest.ok("GET", "/collections/copy/points/3", null).at("/payload/city").asText());

        rest.ok("PUT", "/collections/demo/points?wait=true", "{\"points\":[{\"id\":99,\"vector\":[1,1,1,1]}]}");
        assertEquals(7, count("demo"));
        assertTrue(rest.ok("PUT", "/collections/demo/snapshots/recover", "{\"location\":\"" + location + "\"}").asBoolean());
        assertEquals(6, count("demo"), "recovering over an existing collection replaces its data");

        RestClient.Reply accepted = rest.send("POST", "/collections/demo/snapshots?wait=false", null);
        assertEquals(202, accepted.status(), accepted.body());
        assertEquals("accepted", accepted.json().get("status").asText());
        assertTrue(rest.ok("DELETE", "/collections/demo/snapshots/" + name, null).asBoolean());
        rest.error(404, "DELETE", "/collections/demo/snapshots/" + name, null);
        rest.error(400, "PUT", "/collections/demo/snapshots/recover", "{\"location\":\"ftp://x/y.snapshot\"}");
        rest.error(404, "POST", "/collections/nope/snapshots", null);
    }

    @Test
    void shardSnapshotsCreateListDownloadRecoverDelete() throws Exception {
        createDemo("demo", "Dot");
        JsonNode created = rest.ok("POST", "/collections/demo/shards/0/snapshots", null);
        String name = created.get("name").asText();
        assertTrue(name.startsWith("demo-shard-0-") && name.endsWith(".snapshot"), name);
        assertEquals(name, rest.ok("GET", "/collections/demo/shards/0/snapshots", null).get(0).get("name").asText());
        assertEquals(0, rest.ok("GET", "/collections/demo/snapshots", null).size(), "a shard snapshot is listed apart");
        java.net.http.HttpResponse<byte[]> download = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port()
                        + "/collections/demo/shards/0/snapshots/" + name)).timeout(java.time.Duration.ofSeconds(30))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, download.statusCode());
        assertEquals(created.get("checksum").asText(), java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(download.body())));

        rest.ok("PUT", "/collections/demo/points?wait=true", "{\"points\":[{\"id\":99,\"vector\":[1,1,1,1]}]}");
        assertEquals(7, count("demo"));
        String location = "http://127.0.0.1:" + server.port() + "/collections/demo/shards/0/snapshots/" + name;
        rest.error(400, "PUT", "/collections/demo/shards/0/snapshots/recover",
                "{\"location\":\"" + location + "\",\"checksum\":\"" + "0".repeat(64) + "\"}");
        assertEquals(7, count("demo"), "a checksum mismatch changes nothing");
        rest.error(400, "PUT", "/collections/demo/shards/0/snapshots/recover",
                "{\"location\":\"" + location + "\",\"priority\":\"newest\"}");
        assertTrue(rest.ok("PUT", "/collections/demo/shards/0/snapshots/recover", "{\"location\":\"" + location
                + "\",\"checksum\":\"" + created.get("checksum").asText() + "\",\"priority\":\"snapshot\"}").asBoolean());
        assertEquals(6, count("demo"), "the shard is back to the snapshot's content");
        assertEquals("Moscow", rest.ok("GET", "/collections/demo/points/3", null).at("/payload/city").asText());

        rest.error(404, "POST", "/collections/demo/shards/5/snapshots", null);
        rest.error(400, "POST", "/collections/demo/shards/x/snapshots", null);
        rest.error(404, "GET", "/collections/demo/shards/0/snapshots/nope.snapshot", null);
        assertTrue(rest.ok("DELETE", "/collections/demo/shards/0/snapshots/" + name, null).asBoolean());
        rest.error(404, "DELETE", "/collections/demo/shards/0/snapshots/" + name, null);
        assertEquals(0, rest.ok("GET", "/collections/demo/shards/0/snapshots", null).size());
    }
    @Test
    void recoverRefusesASnapshotThatDoesNotFitTheExistingCollection() throws Exception {
        createDemo("demo", "Euclid");
        JsonNode before = rest.ok("POST", "/collections/demo/points/scroll", "{\"limit\":100,\"with_vector\":true}");
        Map<String, String> others = Map.of(
                "dot", "{\"vectors\":{\"size\":4,\"distance\":\"Dot\"}}",
                "wide", "{\"vectors\":{\"size\":8,\"distance\":\"Euclid\"}}",
                "sharded", "{\"vectors\":{\"size\":4,\"distance\":\"Euclid\"},\"shard_number\":2}");
        for (Map.Entry<String, String> other : others.entrySet()) {
            assertTrue(rest.ok("PUT", "/collections/" + other.getKey(), other.getValue()).asBoolean());
            String name = rest.ok("POST", "/collections/" + other.getKey() + "/snapshots?wait=true", null)
                    .get("name").asText();
            String location = dir.resolve("snapshots").resolve(other.getKey()).resolve(name).toUri().toString();
            String error = rest.error(400, "PUT", "/collections/demo/snapshots/recover",
                    "{\"location\":\"" + location + "\"}");
            assertTrue(error.contains("Snapshot is not compatible with existing collection"), error);
            assertTrue(error.contains(other.getKey().equals("sharded") ? "shard number" : "vectors"), error);
        }
        assertEquals("Euclid",
                rest.ok("GET", "/collections/demo", null).at("/config/params/vectors/distance").asText());
        assertEquals(before.get("points"), rest.ok("POST", "/collections/demo/points/scroll",
                "{\"limit\":100,\"with_vector\":true}").get("points"), "the existing collection keeps its data");

        String missing = rest.error(400, "PUT", "/collections/demo/snapshots/recover",
                "{\"location\":\"file:///nope.snapshot\"}");
        assertTrue(missing.contains("does not exist"), missing);
        for (String checksum : List.of("xyz", "0".repeat(63), "g".repeat(64))) {
            String invalid = rest.error(422, "PUT", "/collections/demo/snapshots/recover",
                    "{\"location\":\"file:///nope.snapshot\",\"checksum\":\"" + checksum + "\"}");
            assertTrue(invalid.startsWith("Validation error in JSON body: [checksum:"), invalid);
        }
        rest.error(422, "PUT", "/collections/bad%3Aname/snapshots/recover", "{\"location\":\"file:///nope.snapshot\"}");
        assertEquals(before.get("points"), rest.ok("POST", "/collections/demo/points/scroll",
                "{\"limit\":100,\"with_vector\":true}").get("points"));
    }

    @Test
    void snapshotUploadRecoversTheArchiveBeyondTheJsonSizeLimit() throws Exception {
        // a collection whose snapshot is larger than max_request_size_mb (1 MB here): uploads are not bounded by it
        assertTrue(rest.ok("PUT", "/collections/big", "{\"vectors\":{\"size\":256,\"distance\":\"Dot\"}}").asBoolean());
        Random random = new Random(11);
        for (int batch = 0; batch < 6; batch++) {
            StringBuilder body = new StringBuilder("{\"points\":[");
            for (int i = 0; i < 200; i++) {
                float[] v = new float[256];
                for (int d = 0; d < v.length; d++) {
                    v[d] = random.nextFloat();
                }
                body.append(i == 0 ? "" : ",").append("{\"id\":").append(batch * 200 + i).append(",\"vector\":")
                        .append(VectorJson.json(v)).append(",\"payload\":{\"batch\":").append(batch).append("}}");
            }
            rest.ok("PUT", "/collections/big/points?wait=true", body.append("]}").toString());
        }
        JsonNode created = rest.ok("POST", "/collections/big/snapshots?wait=true", null);
        byte[] archive = java.nio.file.Files.readAllBytes(
                dir.resolve("snapshots").resolve("big").resolve(created.get("name").asText()));
        assertTrue(archive.length > 1024 * 1024, "archive of " + archive.length + " bytes");
        String checksum = created.get("checksum").asText();

        RestClient.Reply ok = upload("/collections/copy/snapshots/upload?checksum=" + checksum, archive, "snapshot");
        assertEquals(200, ok.status(), ok.body());
        assertTrue(ok.json().get("result").asBoolean(), ok.body());
        assertEquals(1200, count("copy"));
        assertEquals(3, rest.ok("GET", "/collections/copy/points/700", null).at("/payload/batch").asInt());
        assertEquals(0, rest.ok("GET", "/collections/copy/snapshots", null).size(), "the upload is not kept");
        try (var left = java.nio.file.Files.list(dir.resolve("snapshots").resolve(".uploads"))) {
            assertEquals(0, left.count(), "the spooled upload is deleted");
        }

        // recovering over the collection again, in the background
        rest.ok("POST", "/collections/copy/points/delete?wait=true", "{\"filter\":{\"must\":[{\"key\":\"batch\","
                + "\"match\":{\"value\":0}}]}}");
        assertEquals(1000, count("copy"));
        RestClient.Reply accepted = upload("/collections/copy/snapshots/upload?wait=false&priority=snapshot", archive,
                "snapshot");
        assertEquals(202, accepted.status(), accepted.body());
        rest.eventually("/collections/copy", info -> info.get("points_count").asInt() == 1200,
                "the background recovery", Duration.ofSeconds(30));

        assertEquals(400, upload("/collections/other/snapshots/upload?checksum=" + "0".repeat(64), archive,
                "snapshot").status());
        assertEquals(422, upload("/collections/other/snapshots/upload?checksum=xyz", archive, "snapshot").status());
        assertEquals(400, upload("/collections/other/snapshots/upload?priority=newest", archive, "snapshot").status());
        assertEquals(400, upload("/collections/other/snapshots/upload", archive, "file").status());
        assertEquals(422, upload("/collections/a%2Ab/snapshots/upload", archive, "snapshot").status());
        assertEquals(400, rest.sendBytes("POST", "/collections/other/snapshots/upload", "application/octet-stream",
                archive).status());
        assertFalse(rest.ok("GET", "/collections/other/exists", null).get("exists").asBoolean());
        assertEquals(400, upload("/collections/big/snapshots/upload", "not a snapshot".getBytes(), "snapshot")
                .status());
        assertEquals(1200, count("big"));

        // one shard, from its own snapshot
        JsonNode shard = rest.ok("POST", "/collections/big/shards/0/snapshots", null);
        byte[] shardArchive = java.nio.file.Files.readAllBytes(dir.resolve("snapshots").resolve("big").resolve("shards")
                .resolve("0").resolve(shard.get("name").asText()));
        rest.ok("POST", "/collections/big/points/delete?wait=true", "{\"points\":[1,2,3]}");
        RestClient.Reply shardUpload = upload("/collections/big/shards/0/snapshots/upload?priority=snapshot",
                shardArchive, "snapshot");
        assertEquals(200, shardUpload.status(), shardUpload.body());
        assertEquals(1200, count("big"));
    }

    /** A multipart/form-data POST with a text field and the archive in field {@code field}. */
    private RestClient.Reply upload(String path, byte[] archive, String field) {
        String boundary = "----quiver-test-" + Long.toHexString(System.nanoTime());
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes(("preamble\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n"
                + "a text field\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field
                + "\"; filename=\"my; snapshot.snapshot\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        body.writeBytes(archive);
        body.writeBytes(("\r\n--" + boundary + "--\r\nepilogue")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        return rest.sendBytes("POST", path, "multipart/form-data; boundary=" + boundary, body.toByteArray());
    }
}
