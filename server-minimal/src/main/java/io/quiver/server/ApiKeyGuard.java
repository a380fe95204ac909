package io.quiver.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks {@code service.api_key} and {@code service.read_only_api_key} as Qdrant does: the key comes in the
 * {@code api-key} header or as {@code Authorization: Bearer <key>} (the scheme spelt exactly so); a missing or wrong
 * key (an empty one is wrong) is a 401, a read-only key on a write route a 403; the probes and {@code /} stay open. Keys are compared through their SHA-256 digests in constant
 * time and never logged. Immutable and threadsafe.
 */
final class ApiKeyGuard {
    /** What the guard decided for one request. */
    enum Verdict { ALLOW, MISSING, INVALID, READ_ONLY }

    private final byte[] fullKeyDigest;
    private final byte[] readOnlyKeyDigest;

    ApiKeyGuard(String apiKey, String readOnlyApiKey) {
        this.fullKeyDigest = apiKey == null ? null : digest(apiKey);
        this.readOnlyKeyDigest = readOnlyApiKey == null ? null : digest(readOnlyApiKey);
    }

    boolean enabled() {
        return fullKeyDigest != null || readOnlyKeyDigest != null;
    }

    /** Qdrant's whitelist: {@code /} exactly, {@code /healthz} exactly, {@code /readyz*}, {@code /livez*}. */
    static boolean whitelisted(String path) {
        return path.equals("/") || path.equals("/healthz") || path.startsWith("/readyz") || path.startsWith("/livez");
    }

    Verdict check(String path, String apiKeyHeader, String authorizationHeader, Route.Access access) {
        if (!enabled() || whitelisted(path) || access == Route.Access.OPEN) {
            return Verdict.ALLOW;
        }
        String presented = apiKeyHeader;
        if (presented == null && authorizationHeader != null && authorizationHeader.startsWith("Bearer ")) {
            presented = authorizationHeader.substring(7); // exactly "Bearer ", nothing trimmed, as Qdrant strips it
        }
        if (presented == null) {
            return Verdict.MISSING;
        }
        byte[] presentedDigest = digest(presented);
        boolean full = fullKeyDigest != null && MessageDigest.isEqual(fullKeyDigest, presentedDigest);
        boolean readOnly = readOnlyKeyDigest != null && MessageDigest.isEqual(readOnlyKeyDigest, presentedDigest);
        if (full) {
            return Verdict.ALLOW;
        }
        if (readOnly) {
            return access == Route.Access.WRITE ? Verdict.READ_ONLY : Verdict.ALLOW;
        }
        return Verdict.INVALID;
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
