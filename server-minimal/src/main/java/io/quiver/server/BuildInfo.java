package io.quiver.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What this build reports about itself: Quiver's own version, the Qdrant REST API version it speaks, and the git
 * commit (from {@code QUIVER_COMMIT}, which the launcher sets, else "unknown"). Immutable.
 *
 * <p>{@code GET /} reports {@link #apiVersion()} as {@code version}: Qdrant clients compare it with their own version
 * and warn when the major.minor differ, so the server names the Qdrant API level it implements; Quiver's own version
 * travels beside it as {@code quiver_version}.
 */
public record BuildInfo(String quiverVersion, String apiVersion, String commit) {

    public static BuildInfo load() {
        Properties props = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                props.load(in);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read build.properties", e);
        }
        String commit = System.getenv("QUIVER_COMMIT");
        return new BuildInfo(
                props.getProperty("quiver.version", "unknown"),
                props.getProperty("qdrant.api.version", "unknown"),
                commit == null || commit.isBlank() ? "unknown" : commit.trim());
    }
}
