package io.famfsrocks.cli.serve;

import io.famfsrocks.cli.KeyText;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The read endpoints: {@code /get}, {@code /batch_get}, {@code /scan}. Each turns its
 * parameters into a replica read and the read into a {@link Reply}; a bad parameter throws
 * {@link ApiException}. Every JSON answer starts with the {@code version} and {@code sequence}
 * the read reflects (at least). Thread-safe.
 */
final class ReplicaApi {
    /** The one JSON mapper: snake_case names, absent (null) fields left out. Thread-safe. */
    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private final ReplicaReads replica;
    private final ServeMetrics metrics;

    ReplicaApi(ReplicaReads replica, ServeMetrics metrics) {
        this.replica = replica;
        this.metrics = metrics;
    }

    /** {@code /get?key=K[&enc=E]}: the value's bytes, or 404 {@code key_not_found}. */
    Reply get(Map<String, String> q) {
        String enc = encoding(q.get("enc"));
        byte[] key = key(q, "key", enc);
        ReplicaReads.Position at = awaitMinSeq(q);
        byte[] v = replica.get(key);
        metrics.lookups.inc();
        if (v == null) {
            return Reply.error(ApiError.KEY_NOT_FOUND, "key not found").at(at);
        }
        metrics.lookupHits.inc();
        return new Reply(200, "application/octet-stream", v, at);
    }

    /**
     * {@code POST /batch_get} with {@code {"keys":[K,...],"enc":E}}: every key's value in the
     * keys' order, {@code null} for an absent one, all read from one version.
     */
    Reply batchGet(byte[] body, Map<String, String> q) {
        JsonNode req;
        try {
            req = JSON.readTree(body);
        } catch (IOException e) {
            throw new ApiException(ApiError.BAD_BODY, "the body is not JSON: " + firstLine(e.getMessage()));
        }
        if (req == null || !req.isObject()) {
            throw new ApiException(ApiError.BAD_BODY, "the body must be a JSON object {\"keys\":[...]}");
        }
        JsonNode encNode = req.get("enc");
        if (encNode != null && !encNode.isTextual()) {
            throw new ApiException(ApiError.BAD_ENCODING, "'enc' must be a string: utf8, hex or base64");
        }
        String enc = encoding(encNode != null ? encNode.asText() : q.get("enc"));
        JsonNode keysNode = req.get("keys");
        if (keysNode == null || keysNode.isNull()) {
            throw new ApiException(ApiError.MISSING_PARAMETER, "missing 'keys' (a JSON array of strings)");
        }
        if (!keysNode.isArray()) {
            throw new ApiException(ApiError.BAD_BODY, "'keys' must be a JSON array of strings");
        }
        if (keysNode.size() > ReplicaHttpServer.MAX_BATCH_KEYS) {
            throw new ApiException(ApiError.TOO_MANY_KEYS, "a batch is at most " + ReplicaHttpServer.MAX_BATCH_KEYS
                    + " keys, got " + keysNode.size());
        }
        List<byte[]> keys = new ArrayList<>(keysNode.size());
        for (int i = 0; i < keysNode.size(); i++) {
            JsonNode k = keysNode.get(i);
            if (!k.isTextual()) {
                throw new ApiException(ApiError.BAD_BODY, "keys[" + i + "] is not a string");
            }
            keys.add(keyBytes(k.asText(), enc, "keys[" + i + "]"));
        }
        ReplicaReads.Position at = awaitMinSeq(q);
        List<byte[]> values = keys.isEmpty() ? List.of() : replica.multiGet(keys);
        metrics.lookups.inc(keys.size());
        try (Writer w = new Writer(at, keys.size() * 48)) {
            JsonGenerator g = w.g;
            g.writeArrayFieldStart("kvs");
            int found = 0;
            for (int i = 0; i < keys.size(); i++) {
                byte[] v = values.get(i);
                g.writeStartObject();
                g.writeStringField("key", keysNode.get(i).asText()); // as sent
                if (v == null) {
                    g.writeNullField("value");
                } else {
                    found++;
                    g.writeStringField("value", encode(v, enc, "keys[" + i + "]: its value"));
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("found", found);
            metrics.lookupHits.inc(found);
            return w.reply();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // into memory: does not happen
        }
    }

    /**
     * {@code /scan?from=K&to=K&limit=N&keys_only=B&enc=E}: at most {@code limit} pairs with keys
     * in {@code [from, to)}, {@code more} when further keys follow in the range, and then
     * {@code next}: the key to pass as {@code from} for the next page.
     */
    Reply scan(Map<String, String> q) {
        String enc = encoding(q.get("enc"));
        byte[] from = q.containsKey("from") ? key(q, "from", enc) : new byte[0];
        byte[] to = q.containsKey("to") ? key(q, "to", enc) : null;
        int limit = limit(q.get("limit"));
        boolean keysOnly = flag(q, "keys_only");
        ReplicaReads.Position at = awaitMinSeq(q);
        List<ReplicaReads.KeyValue> rows = replica.scan(from, to, limit + 1, keysOnly); // one more: is there more?
        boolean more = rows.size() > limit;
        int n = Math.min(rows.size(), limit);
        metrics.scans.inc();
        metrics.scannedKeys.inc(n);
        try (Writer w = new Writer(at, n * 48)) {
            JsonGenerator g = w.g;
            g.writeArrayFieldStart("kvs");
            for (int i = 0; i < n; i++) {
                ReplicaReads.KeyValue kv = rows.get(i);
                String what = "row " + i + " from the first: its ";
                g.writeStartObject();
                g.writeStringField("key", encode(kv.key(), enc, what + "key"));
                if (!keysOnly) {
                    g.writeStringField("value", encode(kv.value(), enc, what + "value"));
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeBooleanField("more", more);
            if (more) {
                g.writeStringField("next", encode(rows.get(limit).key(), enc, "the next key"));
            }
            return w.reply();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // into memory: does not happen
        }
    }

    /**
     * For {@code min_seq=S[&wait_ms=W]}: waits up to W ms (default {@value ReplicaHttpServer#DEFAULT_WAIT_MS},
     * at most {@value ReplicaHttpServer#MAX_WAIT_MS}) until reads reflect sequence S, and
     * returns the position then; without min_seq the position now. Not reached in time: 503
     * {@code min_seq_not_reached} with the sequence reads reflect.
     */
    private ReplicaReads.Position awaitMinSeq(Map<String, String> q) {
        long min = whole(q, "min_seq", -1, Long.MAX_VALUE, -1);
        long waitMs = whole(q, "wait_ms", 0, ReplicaHttpServer.MAX_WAIT_MS, ReplicaHttpServer.DEFAULT_WAIT_MS);
        ReplicaReads.Position at = replica.position();
        if (min < 0) {
            return at;
        }
        long deadline = System.nanoTime() + waitMs * 1_000_000L;
        while (at.sequence() < min && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            at = replica.position();
        }
        if (at.sequence() < min) {
            metrics.minSeqTimeouts.inc();
            throw new ApiException(ApiError.MIN_SEQ_NOT_REACHED, "reads reflect sequence " + at.sequence()
                    + ", below min_seq " + min + " after " + waitMs + " ms", at.sequence());
        }
        return at;
    }

    /** A whole-number parameter from {@code lo} to {@code hi}; {@code dflt} when absent. */
    private static long whole(Map<String, String> q, String name, long lo, long hi, long dflt) {
        String raw = q.get(name);
        if (raw == null) {
            return dflt;
        }
        long v;
        try {
            v = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new ApiException(ApiError.BAD_PARAMETER, "'" + name + "' must be a whole number, got '" + raw + "'");
        }
        if (v < Math.max(lo, 0) || v > hi) {
            throw new ApiException(ApiError.BAD_PARAMETER, "'" + name + "' must be from " + Math.max(lo, 0) + " to " + hi
                    + ", got " + v);
        }
        return v;
    }

    // ---- parameters ----

    static String encoding(String enc) {
        if (enc == null || enc.isEmpty()) {
            return "utf8";
        }
        if (!enc.equals("utf8") && !enc.equals("hex") && !enc.equals("base64")) {
            throw new ApiException(ApiError.BAD_ENCODING, "unknown encoding '" + enc + "' (utf8, hex or base64)");
        }
        return enc;
    }

    private static byte[] key(Map<String, String> q, String name, String enc) {
        String raw = q.get(name);
        if (raw == null || raw.isEmpty()) {
            throw new ApiException(ApiError.MISSING_PARAMETER, "missing '" + name + "' parameter");
        }
        return keyBytes(raw, enc, "'" + name + "'");
    }

    private static byte[] keyBytes(String raw, String enc, String what) {
        byte[] k;
        try {
            k = decode(raw, enc);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.BAD_KEY, "bad " + what + ": " + e.getMessage());
        }
        if (k.length > ReplicaHttpServer.MAX_KEY_BYTES) {
            throw new ApiException(ApiError.KEY_TOO_LARGE, what + " is " + k.length + " bytes; at most "
                    + ReplicaHttpServer.MAX_KEY_BYTES);
        }
        return k;
    }

    private static int limit(String raw) {
        int max = ReplicaHttpServer.MAX_SCAN_LIMIT;
        if (raw == null || raw.isEmpty()) {
            return Math.min(100, max);
        }
        int limit;
        try {
            limit = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new ApiException(ApiError.BAD_LIMIT, "limit must be a whole number from 1 to " + max);
        }
        if (limit < 1 || limit > max) {
            throw new ApiException(ApiError.BAD_LIMIT, "limit must be from 1 to " + max + ", got " + limit);
        }
        return limit;
    }

    /** A boolean parameter: absent false; {@code true}, {@code 1} or empty (present) true; {@code false}, {@code 0}. */
    private static boolean flag(Map<String, String> q, String name) {
        String v = q.get(name);
        if (v == null) {
            return false;
        }
        return switch (v) {
            case "", "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new ApiException(ApiError.BAD_PARAMETER, "'" + name + "' must be true or false, got '" + v + "'");
        };
    }

    static byte[] decode(String s, String enc) {
        return switch (enc) {
            case "hex" -> HexFormat.of().parseHex(s);
            case "base64" -> KeyText.decodeBase64(s);
            default -> s.getBytes(StandardCharsets.UTF_8);
        };
    }

    /** The bytes as text in {@code enc}; utf8 of bytes that are not UTF-8 is a 422 naming {@code what}. */
    static String encode(byte[] b, String enc, String what) {
        try {
            return switch (enc) {
                case "hex" -> HexFormat.of().formatHex(b);
                case "base64" -> KeyText.encodeBase64(b);
                default -> KeyText.strictUtf8(b);
            };
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.NOT_UTF8, what + " is " + e.getMessage() + " (ask with enc=hex or enc=base64)");
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** A JSON object answer begun with the version and sequence; close it with {@link #reply()}. */
    private static final class Writer implements AutoCloseable {
        final ByteArrayOutputStream out;
        final JsonGenerator g;
        final ReplicaReads.Position at;

        Writer(ReplicaReads.Position at, int sizeHint) {
            this.at = at;
            this.out = new ByteArrayOutputStream(Math.max(64, Math.min(sizeHint, 1 << 20)));
            try {
                this.g = JSON.getFactory().createGenerator(out);
                g.writeStartObject();
                g.writeNumberField("version", at.version());
                g.writeNumberField("sequence", at.sequence());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Reply reply() {
            try {
                g.writeEndObject();
                g.flush();
                out.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Reply(200, "application/json", out.toByteArray(), at);
        }

        @Override
        public void close() {
            try {
                g.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
