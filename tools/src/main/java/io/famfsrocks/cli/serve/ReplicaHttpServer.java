package io.famfsrocks.cli.serve;

import io.famfsrocks.cli.Json;
import io.famfsrocks.cli.KeyText;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Serves a replica over HTTP (loopback by default):
 * <ul>
 *   <li>{@code GET /get?key=K[&enc=utf8|hex|base64]}: 200 with the value's bytes, 404 when absent;</li>
 *   <li>{@code GET /scan?from=K&limit=N[&enc=...]}: 200 with a JSON array of {@code {"key","value"}}
 *       encoded as {@code enc} (hex when keys are binary), at most {@link #MAX_SCAN_LIMIT} pairs;
 *       utf8 of a key or value that is not UTF-8 is a 422 naming the row, never U+FFFD;</li>
 *   <li>{@code GET /health}: 200 once caught up with the newest published version (and, with
 *       WAL shipping, reads less than a second stale), 503 before; the body reports version,
 *       sequence, lag, whether reads are current, the sequence they reflect and the primary's;</li>
 *   <li>{@code /get} and {@code /scan} carry {@value #SEQUENCE_HEADER}, the primary's sequence
 *       number the answer reflects at least, and accept {@code min_seq=S[&wait_ms=W]}: wait up
 *       to W ms for reads to reach S (read-your-writes), else 503 with the current sequence;</li>
 *   <li>{@code GET /metrics}: the Prometheus text format.</li>
 * </ul>
 * base64 keys may use either alphabet ({@code + /} or {@code - _}, {@link KeyText}); answers use
 * the URL-safe one. Bad requests (missing or undecodable key, bad limit, unknown encoding) get 400 and a
 * one-line message; a replica error gets a JSON 500 and a log line. Thread-safe; closing stops it.
 *
 * <p>The server is Jetty 12 (core, no servlets), not the JDK's {@code com.sun.net.httpserver}:
 * the JDK server reads request headers on its worker threads with no time limit, so four
 * connections that send one byte stopped a 4-thread replica (issue 13), and it has no bound
 * on connections. Jetty parses headers on its selector without a thread per connection,
 * closes connections idle for {@link Limits#idleTimeoutMillis()} (a slow-loris connection is
 * dropped then, and never holds a worker), stops accepting beyond
 * {@link Limits#maxConnections()} (further clients wait in the kernel's accept queue of
 * {@link Limits#acceptQueue()}, then are refused by it), and writes responses without
 * blocking a worker on a slow reader. Workers run only complete requests.
 */
public final class ReplicaHttpServer implements AutoCloseable {
    public static final int MAX_SCAN_LIMIT = 10_000;
    public static final int MAX_KEY_BYTES = 64 * 1024;
    /** The response header of /get and /scan: the primary's sequence number the answer reflects at least. */
    public static final String SEQUENCE_HEADER = "X-Famfs-Sequence";
    /** How long {@code min_seq} waits by default, and at most ({@code wait_ms}). */
    public static final long DEFAULT_WAIT_MS = 1000;
    public static final long MAX_WAIT_MS = 10_000;

    private static final System.Logger LOG = System.getLogger(ReplicaHttpServer.class.getName());

    /**
     * @param threads workers running complete requests (RocksDB reads block)
     * @param maxConnections open connections at most; beyond it accepting pauses
     * @param acceptQueue the kernel's backlog of connections waiting to be accepted
     * @param idleTimeoutMillis a connection silent this long (mid-headers or between requests) is closed
     */
    public record Limits(int threads, int maxConnections, int acceptQueue, long idleTimeoutMillis) {
        public static Limits defaults(int threads) {
            return new Limits(threads, 4096, 1024, 10_000);
        }

        public Limits withIdleTimeoutMillis(long ms) {
            return new Limits(threads, maxConnections, acceptQueue, ms);
        }

        public Limits withMaxConnections(int n) {
            return new Limits(threads, n, acceptQueue, idleTimeoutMillis);
        }
    }

    /** One answer: status, content type, body, and a Retry-After in seconds (null: none). */
    private record Reply(int status, String type, byte[] body, String retryAfter, long sequence) {
        Reply(int status, String type, byte[] body) {
            this(status, type, body, null, -1);
        }

        Reply(int status, String type, byte[] body, String retryAfter) {
            this(status, type, body, retryAfter, -1);
        }

        Reply withSequence(long seq) {
            return new Reply(status, type, body, retryAfter, seq);
        }

        static Reply text(int status, String type, String body) {
            return new Reply(status, type, body.getBytes(StandardCharsets.UTF_8));
        }
    }

    private final ReplicaReads replica;
    private final Server server;
    private final ServerConnector connector;
    private final LatencyHistogram getLatency = new LatencyHistogram();
    private final LatencyHistogram scanLatency = new LatencyHistogram();
    private final LongAdder gets = new LongAdder();
    private final LongAdder hits = new LongAdder();
    private final LongAdder scans = new LongAdder();
    private final LongAdder badRequests = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder busy = new LongAdder();
    private final LongAdder minSeqTimeouts = new LongAdder();

    private ReplicaHttpServer(ReplicaReads replica, InetAddress bind, int port, Limits limits) {
        this.replica = replica;
        // Jetty's own threads (1 acceptor, 1 selector) come on top of the workers.
        QueuedThreadPool pool = new QueuedThreadPool(limits.threads() + 4, Math.min(limits.threads() + 4, 8));
        pool.setName("replica-http");
        pool.setDaemon(true);
        pool.setReservedThreads(0);
        this.server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        http.setRequestHeaderSize(16 * 1024);
        http.setOutputBufferSize(8 * 1024);
        http.setIdleTimeout(limits.idleTimeoutMillis());
        this.connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(bind.getHostAddress());
        connector.setPort(port);
        connector.setIdleTimeout(limits.idleTimeoutMillis());
        connector.setAcceptQueueSize(limits.acceptQueue());
        connector.setReuseAddress(true);
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
        server.setHandler(new Handler.Abstract(Handler.Abstract.InvocationType.BLOCKING) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Reply r = answer(request);
                response.setStatus(r.status());
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, r.type());
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, r.body().length);
                if (r.retryAfter() != null) {
                    response.getHeaders().put(HttpHeader.RETRY_AFTER, r.retryAfter());
                }
                if (r.sequence() >= 0) {
                    response.getHeaders().put(SEQUENCE_HEADER, Long.toString(r.sequence()));
                }
                boolean head = request.getMethod().equals("HEAD");
                response.write(true, head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(r.body()), callback);
                return true;
            }
        });
        server.setStopTimeout(2000);
    }

    /** Starts serving on {@code bind:port} (port 0 picks a free one) with {@code threads} workers. */
    public static ReplicaHttpServer start(ReplicaReads replica, InetAddress bind, int port, int threads) throws IOException {
        return start(replica, bind, port, Limits.defaults(threads));
    }

    /** Starts serving on {@code bind:port} (port 0 picks a free one). */
    public static ReplicaHttpServer start(ReplicaReads replica, InetAddress bind, int port, Limits limits) throws IOException {
        ReplicaHttpServer r = new ReplicaHttpServer(replica, bind, port, limits);
        try {
            r.server.start();
        } catch (IOException e) {
            r.close();
            throw e;
        } catch (Exception e) {
            r.close();
            throw new IOException("cannot start the HTTP server on " + bind.getHostAddress() + ":" + port + ": "
                    + e.getMessage(), e);
        }
        return r;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** The answer to one request; never throws (an internal error becomes a logged JSON 500). */
    private Reply answer(Request request) {
        String path = request.getHttpURI().getPath();
        try {
            String m = request.getMethod();
            if (!m.equals("GET") && !m.equals("HEAD")) {
                return Reply.text(405, "text/plain", "only GET is supported\n");
            }
            Map<String, String> q;
            try {
                q = query(request.getHttpURI().getQuery());
            } catch (IllegalArgumentException e) {
                return bad("malformed query string: " + e.getMessage());
            }
            return switch (String.valueOf(path)) {
                case "/get" -> get(q);
                case "/scan" -> scan(q);
                case "/health" -> health();
                case "/metrics" -> Reply.text(200, "text/plain; version=0.0.4", metrics());
                default -> Reply.text(404, "text/plain", "unknown path " + path
                        + "; try /get?key=K, /scan?from=K&limit=N, /health, /metrics\n");
            };
        } catch (ReplicaReads.BusyException e) {
            // the moment, not the question: an answer dropped because its epoch's device was reused
            busy.increment();
            return new Reply(503, "text/plain", (e.getMessage() + "; retry\n").getBytes(StandardCharsets.UTF_8),
                    "1");
        } catch (RuntimeException | Error e) {
            return internalError(path, e);
        }
    }

    private Reply internalError(String path, Throwable e) {
        errors.increment();
        LOG.log(Level.WARNING, "internal error answering " + path + ": " + e, e);
        StringBuilder json = new StringBuilder("{\"error\":");
        Json.string(json, e.getClass().getSimpleName() + ": " + e.getMessage());
        return Reply.text(500, "application/json", json.append("}\n").toString());
    }

    private Reply get(Map<String, String> q) {
        Object key = key(q, "key");
        if (key instanceof Reply r) {
            return r;
        }
        Object seq = awaitMinSeq(q);
        if (seq instanceof Reply r) {
            return r;
        }
        long t0 = System.nanoTime();
        byte[] v = replica.get((byte[]) key);
        getLatency.record(System.nanoTime() - t0);
        gets.increment();
        if (v == null) {
            return Reply.text(404, "text/plain", "key not found\n").withSequence((Long) seq);
        }
        hits.increment();
        return new Reply(200, "application/octet-stream", v).withSequence((Long) seq);
    }

    /**
     * For {@code min_seq=S[&wait_ms=W]}: waits up to W ms (default {@value #DEFAULT_WAIT_MS},
     * at most {@value #MAX_WAIT_MS}) until reads reflect sequence S; returns the sequence
     * reads reflect (Long), or the 400 / 503 reply. Without min_seq, the sequence now.
     */
    private Object awaitMinSeq(Map<String, String> q) {
        long min;
        long waitMs;
        try {
            min = Long.parseLong(q.getOrDefault("min_seq", "-1"));
            waitMs = Long.parseLong(q.getOrDefault("wait_ms", Long.toString(DEFAULT_WAIT_MS)));
        } catch (NumberFormatException e) {
            return bad("min_seq and wait_ms must be whole numbers");
        }
        if (waitMs < 0 || waitMs > MAX_WAIT_MS || (q.containsKey("min_seq") && min < 0)) {
            return bad("min_seq must be >= 0 and wait_ms from 0 to " + MAX_WAIT_MS);
        }
        long seq = replica.readSequence();
        long deadline = System.nanoTime() + waitMs * 1_000_000L;
        while (seq < min && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            seq = replica.readSequence();
        }
        if (seq < min) {
            minSeqTimeouts.increment();
            return Reply.text(503, "application/json", String.format("{\"error\":\"reads reflect sequence %d, below min_seq %d"
                    + " after %d ms\",\"sequence\":%d}%n", seq, min, waitMs, seq)).withSequence(seq);
        }
        return seq;
    }

    private Reply scan(Map<String, String> q) {
        Object f = q.containsKey("from") ? key(q, "from") : new byte[0];
        if (f instanceof Reply r) {
            return r;
        }
        byte[] from = (byte[]) f;
        int limit;
        try {
            limit = Integer.parseInt(q.getOrDefault("limit", "100"));
        } catch (NumberFormatException e) {
            return bad("limit must be a whole number from 1 to " + MAX_SCAN_LIMIT);
        }
        if (limit < 1 || limit > MAX_SCAN_LIMIT) {
            return bad("limit must be from 1 to " + MAX_SCAN_LIMIT + ", got " + limit);
        }
        String enc = q.getOrDefault("enc", "utf8");
        Object seq = awaitMinSeq(q);
        if (seq instanceof Reply r) {
            return r;
        }
        long t0 = System.nanoTime();
        List<ReplicaReads.KeyValue> rows = replica.scan(from, limit);
        scanLatency.record(System.nanoTime() - t0);
        scans.increment();
        StringBuilder json = new StringBuilder(rows.size() * 48 + 2).append('[');
        for (int i = 0; i < rows.size(); i++) {
            ReplicaReads.KeyValue kv = rows.get(i);
            String k;
            String v;
            try {
                k = encode(kv.key(), enc);
                v = encode(kv.value(), enc);
            } catch (IllegalArgumentException e) {
                badRequests.increment();
                return Reply.text(422, "text/plain", "row " + i + " from the first: its key or value is " + e.getMessage()
                        + " (enc=hex or enc=base64)\n");
            }
            json.append(i == 0 ? "" : ",").append("{\"key\":");
            Json.string(json, k);
            json.append(",\"value\":");
            Json.string(json, v);
            json.append('}');
        }
        return Reply.text(200, "application/json", json.append("]\n").toString()).withSequence((Long) seq);
    }

    private Reply health() {
        ReplicaReads.Status s = replica.status();
        StringBuilder body = new StringBuilder(String.format("{\"ready\":%s,\"applied_version\":%d,\"sequence\":%d,\"lag_ms\":%d"
                + ",\"epoch\":%d,\"current\":%s,\"read_sequence\":%d,\"primary_sequence\":%d,\"sequences_behind\":%d",
                s.ready(), s.appliedVersion(), s.sequence(), s.lagMillis(), replica.epoch().epoch(), s.current(),
                s.readSequence(), s.primarySequence(), s.sequencesBehind()));
        if (s.problem() != null) { // why it is not ready: the operator's first question
            Json.string(body.append(",\"problem\":"), s.problem());
        }
        return Reply.text(s.ready() ? 200 : 503, "application/json", body.append("}\n").toString());
    }

    /** The Prometheus exposition of this server's and the replica's figures. */
    public String metrics() {
        ReplicaReads.Status s = replica.status();
        StringBuilder m = new StringBuilder(2048);
        counter(m, "famfs_replica_lookups_total", "Key lookups served", gets.sum());
        counter(m, "famfs_replica_lookup_hits_total", "Key lookups that found a value", hits.sum());
        counter(m, "famfs_replica_scans_total", "Range scans served", scans.sum());
        counter(m, "famfs_replica_bad_requests_total", "Requests refused with 4xx", badRequests.sum());
        counter(m, "famfs_replica_errors_total", "Requests that failed with 5xx", errors.sum());
        getLatency.appendTo(m, "famfs_replica_lookup_latency_seconds", "Key lookup latency inside the replica");
        scanLatency.appendTo(m, "famfs_replica_scan_latency_seconds", "Range scan latency inside the replica");
        gauge(m, "famfs_replica_applied_version", "Published version the replica serves", s.appliedVersion());
        gauge(m, "famfs_replica_sequence", "Primary sequence number the served version reflects", s.sequence());
        gauge(m, "famfs_replica_lag_milliseconds", "How far the replica is behind the newest published version", s.lagMillis());
        gauge(m, "famfs_replica_ready", "1 once caught up with the newest published version", s.ready() ? 1 : 0);
        gauge(m, "famfs_replica_current", "1 while reads reflect every write the primary acknowledged", s.current() ? 1 : 0);
        gauge(m, "famfs_replica_read_sequence", "Primary sequence number reads reflect (WAL overlay included)", s.readSequence());
        gauge(m, "famfs_replica_primary_sequence", "Primary's latest sequence number (-1: unknown, no WAL shipped)",
                s.primarySequence());
        gauge(m, "famfs_replica_sequences_behind", "Acknowledged writes reads do not reflect yet", s.sequencesBehind());
        counter(m, "famfs_replica_min_seq_timeouts_total", "Reads refused with 503: min_seq not reached in time",
                minSeqTimeouts.sum());
        epochMetrics(m);
        return m.toString();
    }

    /** The pool's figures (issue 12), in one place so the metrics' move to a library takes them as a block. */
    private void epochMetrics(StringBuilder m) {
        ReplicaReads.Epoch e = replica.epoch();
        gauge(m, "famfs_replica_epoch", "Epoch of the pool the replica serves (0: a single volume)", e.epoch());
        counter(m, "famfs_replica_epoch_rotations_total", "Epoch switches the replica made", e.rotations());
        counter(m, "famfs_replica_stale_reads_total", "Answers dropped because their epoch's device was reused",
                e.staleReads());
        counter(m, "famfs_replica_busy_total", "Requests answered 503 because their epoch was reused", busy.sum());
        gauge(m, "famfs_replica_epoch_volume_bytes", "Capacity of the served epoch's famfs volume", e.volumeBytes());
        gauge(m, "famfs_replica_epoch_volume_used_bytes", "famfs space in use on the served epoch's volume",
                e.volumeUsedBytes());
    }

    private static void counter(StringBuilder m, String name, String help, long v) {
        m.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
                .append(" counter\n").append(name).append(' ').append(v).append('\n');
    }

    private static void gauge(StringBuilder m, String name, String help, long v) {
        m.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
                .append(" gauge\n").append(name).append(' ').append(v).append('\n');
    }

    /** Decodes a key parameter: its bytes, or the 400 {@link Reply} when it is bad. */
    private Object key(Map<String, String> q, String name) {
        String raw = q.get(name);
        if (raw == null || raw.isEmpty()) {
            return bad("missing '" + name + "' parameter");
        }
        byte[] k;
        try {
            k = decode(raw, q.getOrDefault("enc", "utf8"));
        } catch (IllegalArgumentException e) {
            return bad("bad '" + name + "': " + e.getMessage());
        }
        if (k.length > MAX_KEY_BYTES) {
            return bad("'" + name + "' is " + k.length + " bytes; at most " + MAX_KEY_BYTES);
        }
        return k;
    }

    static byte[] decode(String s, String enc) {
        return switch (enc) {
            case "utf8" -> s.getBytes(StandardCharsets.UTF_8);
            case "hex" -> HexFormat.of().parseHex(s);
            case "base64" -> KeyText.decodeBase64(s);
            default -> throw new IllegalArgumentException("unknown encoding '" + enc + "' (utf8, hex or base64)");
        };
    }

    /** The bytes as text in {@code enc}; IllegalArgumentException for utf8 of bytes that are not UTF-8. */
    static String encode(byte[] b, String enc) {
        return switch (enc) {
            case "hex" -> HexFormat.of().formatHex(b);
            case "base64" -> KeyText.encodeBase64(b);
            default -> KeyText.strictUtf8(b);
        };
    }

    private Reply bad(String message) {
        badRequests.increment();
        return Reply.text(400, "text/plain", message + "\n");
    }

    static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            q.put(k, v);
        }
        return q;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(Level.DEBUG, "stopping the HTTP server: {0}", e.toString());
        }
    }
}
