package io.famfsrocks.cli.serve;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One answer: status, content type, body, the replica position it reflects (null: the
 * server adds the position current when it answers) and a Retry-After in seconds (null:
 * none). Immutable.
 */
record Reply(int status, String type, byte[] body, ReplicaReads.Position position, String retryAfter) {
    Reply(int status, String type, byte[] body, ReplicaReads.Position position) {
        this(status, type, body, position, null);
    }

    static Reply text(int status, String type, String body) {
        return new Reply(status, type, body.getBytes(StandardCharsets.UTF_8), null);
    }

    /** A JSON object answer (Jackson writes {@code value}). */
    static Reply json(int status, Object value) {
        try {
            byte[] b = ReplicaApi.JSON.writeValueAsBytes(value);
            byte[] nl = java.util.Arrays.copyOf(b, b.length + 1);
            nl[b.length] = '\n';
            return new Reply(status, "application/json", nl, null);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /** {@code {"error":"<code>","message":"..."}} with the code's status. */
    static Reply error(ApiError e, String message) {
        return error(e, message, -1);
    }

    /** An error that also says the sequence reads reflect ({@code "sequence"}, when not -1). */
    static Reply error(ApiError e, String message, long sequence) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.code);
        body.put("message", message);
        if (sequence >= 0) {
            body.put("sequence", sequence);
        }
        return json(e.status, body);
    }

    Reply at(ReplicaReads.Position p) {
        return new Reply(status, type, body, p, retryAfter);
    }

    Reply retryAfter(String seconds) {
        return new Reply(status, type, body, position, seconds);
    }
}
