package io.famfsrocks.cli.serve;

import java.util.Locale;

/**
 * The stable error codes of the HTTP API: every error answer is
 * {@code {"error":"<code>","message":"<one line>"}} with the code's HTTP status. Clients
 * branch on the code (lowercase, never renamed); the message is for people.
 */
enum ApiError {
    /** A required parameter (or body field) is absent or empty. */
    MISSING_PARAMETER(400),
    /** A key, {@code from} or {@code to} does not decode in the encoding given. */
    BAD_KEY(400),
    /** {@code enc} names no encoding (utf8, hex, base64). */
    BAD_ENCODING(400),
    /** A key is longer than {@link ReplicaHttpServer#MAX_KEY_BYTES}. */
    KEY_TOO_LARGE(400),
    /** {@code limit} is not a whole number from 1 to {@link ReplicaHttpServer#MAX_SCAN_LIMIT}. */
    BAD_LIMIT(400),
    /** A parameter other than a key or limit has a bad value (e.g. {@code keys_only=maybe}). */
    BAD_PARAMETER(400),
    /** The query string does not decode (a bad percent escape). */
    BAD_QUERY(400),
    /** A request body that is not the JSON object the endpoint takes. */
    BAD_BODY(400),
    /** A batch of more than {@link ReplicaHttpServer#MAX_BATCH_KEYS} keys. */
    TOO_MANY_KEYS(400),
    /** A request Jetty could not parse as HTTP (answered before any endpoint). */
    BAD_HTTP(400),
    /** A request line over 16 KiB (a key that long belongs in a {@code /batch_get} body). */
    URI_TOO_LONG(414),
    /** Request headers over 16 KiB. */
    HEADERS_TOO_LARGE(431),
    /** A request not complete within the idle timeout. */
    REQUEST_TIMEOUT(408),
    /** An absent key ({@code /get}). */
    KEY_NOT_FOUND(404),
    /** No such endpoint. */
    UNKNOWN_PATH(404),
    /** A method the endpoint does not take. */
    METHOD_NOT_ALLOWED(405),
    /** A request body over {@link ReplicaHttpServer#MAX_BODY_BYTES}. */
    BODY_TOO_LARGE(413),
    /** A key or value asked for as utf8 that is not UTF-8 (ask for hex or base64). */
    NOT_UTF8(422),
    /** {@code /health/ready} and {@code /health} of a replica that is not ready. */
    NOT_READY(503),
    /**
     * The answer was dropped because its epoch's device was reused under the read (a pool
     * rotated), and the retry failed too; answered with {@code Retry-After: 1}.
     */
    BUSY(503),
    /**
     * {@code min_seq} not reached within {@code wait_ms}; the body's {@code sequence} is what
     * reads reflect now.
     */
    MIN_SEQ_NOT_REACHED(503),
    /** The replica failed the read (logged on the server). */
    INTERNAL(500);

    final int status;
    final String code;

    /** The code for an error Jetty answers itself with {@code status}. */
    static ApiError forStatus(int status) {
        return switch (status) {
            case 404 -> UNKNOWN_PATH;
            case 405 -> METHOD_NOT_ALLOWED;
            case 408 -> REQUEST_TIMEOUT;
            case 413 -> BODY_TOO_LARGE;
            case 414 -> URI_TOO_LONG;
            case 431 -> HEADERS_TOO_LARGE;
            default -> status >= 500 ? INTERNAL : BAD_HTTP;
        };
    }

    ApiError(int status) {
        this.status = status;
        this.code = name().toLowerCase(Locale.ROOT);
    }
}
