package io.famfsrocks.cli.serve;

import io.famfsrocks.cli.serve.ServeMetrics.Endpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Map;

/**
 * Serves a replica over HTTP (loopback by default). The API ({@code docs/rocks-verbs.md}):
 * <ul>
 *   <li>{@code GET /get?key=K[&enc=utf8|hex|base64]}: 200 with the value's bytes, 404 when absent;</li>
 *   <li>{@code POST /batch_get} {@code {"keys":[...],"enc":E}}: every key's value, one version, one round trip;</li>
 *   <li>{@code GET /scan?from=K[&to=K][&limit=N][&keys_only=true][&enc=E]}: a page of pairs, {@code more}
 *       and the {@code next} key to continue from;</li>
 *   <li>{@code GET /health} (readiness with the whole status), {@code /health/ready}, {@code /health/live};</li>
 *   <li>{@code GET /metrics}: Prometheus text format ({@link ServeMetrics});</li>
 *   <li>{@code GET /}: a status page for people, fed by {@code GET /status.json} ({@link StatusHistory}).</li>
 * </ul>
 * Every answer carries the headers {@value #VERSION_HEADER} and {@value #SEQUENCE_HEADER}: the
 * published version applied when the read began and the primary sequence reads reflected then
 * (the read reflects at least those), and every JSON answer the same as {@code version} and
 * {@code sequence}. The reads accept {@code min_seq=S[&wait_ms=W]}: wait up to W ms for reads
 * to reach S (read-your-writes), else 503 {@code min_seq_not_reached} with the sequence.
 * Errors are JSON {@code {"error":"<stable code>","message":"<one line>"}} ({@link ApiError});
 * an internal error is also logged. Thread-safe; closing stops it.
 *
 * <p>The server is Jetty 12 (core, no servlets), not the JDK's {@code com.sun.net.httpserver}:
 * the JDK server reads request headers on its worker threads with no time limit, so four
 * connections that send one byte stopped a 4-thread replica (issue 13), and it has no bound
 * on connections. Jetty parses headers on its selector without a thread per connection,
 * closes connections idle for {@link Limits#idleTimeoutMillis()} (a slow-loris connection is
 * dropped then, and never holds a worker), stops accepting beyond
 * {@link Limits#maxConnections()} (further clients wait in the kernel's accept queue of
 * {@link Limits#acceptQueue()}, then are refused by it), and writes responses without
 * blocking a worker on a slow reader. A {@code /batch_get} body is read without a worker
 * too (asynchronously, at most {@link #MAX_BODY_BYTES}); workers run only complete requests.
 */
public final class ReplicaHttpServer implements AutoCloseable {
    public static final int MAX_SCAN_LIMIT = 10_000;
    public static final int MAX_KEY_BYTES = 64 * 1024;
    public static final int MAX_BATCH_KEYS = 1_000;
    public static final int MAX_BODY_BYTES = 1 << 20;
    public static final String VERSION_HEADER = "X-Famfs-Version";
    /** The primary's sequence number the answer reflects at least (what {@code min_seq} waits for). */
    public static final String SEQUENCE_HEADER = "X-Famfs-Sequence";
    /** How long {@code min_seq} waits by default, and at most ({@code wait_ms}). */
    public static final long DEFAULT_WAIT_MS = 1000;
    public static final long MAX_WAIT_MS = 10_000;

    private static final System.Logger LOG = System.getLogger(ReplicaHttpServer.class.getName());
    private static final String BUILD = BuildInfo.version();
    /** The status page: one HTML file with its script, no build step (resources/.../status.html). */
    private static final byte[] STATUS_PAGE = statusPage();
    private static final String PATHS = "/get?key=K, POST /batch_get, /scan?from=K&limit=N, /health, /health/ready, "
            + "/health/live, /metrics, / (status page), /status.json";

    /**
     * @param threads workers running complete requests (RocksDB reads block)
     * @param maxConnections open connections at most; beyond it accepting pauses
     * @param acceptQueue the kernel's backlog of connections waiting to be accepted
     * @param idleTimeoutMillis a connection silent this long (mid-headers or between requests) is closed
     * @param maxLagMillis a replica further behind the newest published version than this is not ready
     */
    public record Limits(int threads, int maxConnections, int acceptQueue, long idleTimeoutMillis, long maxLagMillis) {
        public static Limits defaults(int threads) {
            return new Limits(threads, 4096, 1024, 10_000, 10_000);
        }

        public Limits withIdleTimeoutMillis(long ms) {
            return new Limits(threads, maxConnections, acceptQueue, ms, maxLagMillis);
        }

        public Limits withMaxConnections(int n) {
            return new Limits(threads, n, acceptQueue, idleTimeoutMillis, maxLagMillis);
        }

        public Limits withMaxLagMillis(long ms) {
            return new Limits(threads, maxConnections, acceptQueue, idleTimeoutMillis, ms);
        }
    }

    private final ReplicaReads replica;
    private final Limits limits;
    private final Server server;
    private final QueuedThreadPool pool;
    private final ServerConnector connector;
    private final ServeMetrics metrics;
    private final ReplicaApi api;
    private final StatusHistory history;

    private ReplicaHttpServer(ReplicaReads replica, InetAddress bind, int port, Limits limits, long historyMillis) {
        this.replica = replica;
        this.limits = limits;
        this.metrics = new ServeMetrics(BUILD, this::scraped);
        this.api = new ReplicaApi(replica, metrics);
        this.history = new StatusHistory(replica::status, historyMillis);
        // Jetty's own threads (1 acceptor, 1 selector) come on top of the workers.
        pool = new QueuedThreadPool(limits.threads() + 4, Math.min(limits.threads() + 4, 8));
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
                long t0 = System.nanoTime();
                Endpoint ep = endpoint(String.valueOf(request.getHttpURI().getPath()));
                if (ep == Endpoint.BATCH_GET && request.getMethod().equals("POST")) {
                    readBodyThenAnswer(t0, request, response, callback);
                } else {
                    send(ep, t0, request, response, callback, answer(ep, request, null));
                }
                return true;
            }
        });
        server.setErrorHandler(new JsonErrorHandler());
        server.setStopTimeout(2000);
    }

    /** Starts serving on {@code bind:port} (port 0 picks a free one) with {@code threads} workers. */
    public static ReplicaHttpServer start(ReplicaReads replica, InetAddress bind, int port, int threads) throws IOException {
        return start(replica, bind, port, Limits.defaults(threads));
    }

    /** Starts serving on {@code bind:port} (port 0 picks a free one). */
    public static ReplicaHttpServer start(ReplicaReads replica, InetAddress bind, int port, Limits limits) throws IOException {
        return start(replica, bind, port, limits, 1000);
    }

    /** As {@link #start(ReplicaReads, InetAddress, int, Limits)}, sampling the status page's history every {@code historyMillis}. */
    static ReplicaHttpServer start(ReplicaReads replica, InetAddress bind, int port, Limits limits, long historyMillis)
            throws IOException {
        ReplicaHttpServer r = new ReplicaHttpServer(replica, bind, port, limits, historyMillis);
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

    private static Endpoint endpoint(String path) {
        return switch (path) {
            case "/get" -> Endpoint.GET;
            case "/batch_get" -> Endpoint.BATCH_GET;
            case "/scan" -> Endpoint.SCAN;
            case "/health", "/health/ready", "/health/live" -> Endpoint.HEALTH;
            case "/metrics" -> Endpoint.METRICS;
            case "/", "/status.json" -> Endpoint.STATUS;
            default -> Endpoint.OTHER;
        };
    }

    /** Reads a POST body without holding a worker (bounded), then answers on a worker. */
    private void readBodyThenAnswer(long t0, Request request, Response response, Callback callback) {
        if (request.getLength() > MAX_BODY_BYTES) {
            send(Endpoint.BATCH_GET, t0, request, response, callback, tooLarge(request.getLength()));
            return;
        }
        Content.Source.asByteArrayAsync(request, MAX_BODY_BYTES).whenComplete((body, failure) -> pool.execute(() -> {
            Reply r;
            if (failure == null) {
                r = answer(Endpoint.BATCH_GET, request, body);
            } else if (failure instanceof IllegalArgumentException || String.valueOf(failure.getMessage()).contains("max")) {
                r = tooLarge(-1);
            } else {
                r = Reply.error(ApiError.BAD_BODY, "cannot read the body: " + failure);
            }
            send(Endpoint.BATCH_GET, t0, request, response, callback, r);
        }));
    }

    private static Reply tooLarge(long length) {
        return Reply.error(ApiError.BODY_TOO_LARGE, "the body is " + (length < 0 ? "over " + MAX_BODY_BYTES : length)
                + " bytes; at most " + MAX_BODY_BYTES);
    }

    /** The answer to one request; never throws (an internal error becomes a logged JSON 500). */
    private Reply answer(Endpoint ep, Request request, byte[] body) {
        String path = request.getHttpURI().getPath();
        try {
            String m = request.getMethod();
            boolean post = ep == Endpoint.BATCH_GET;
            if (post ? body == null : !m.equals("GET") && !m.equals("HEAD")) {
                throw new ApiException(ApiError.METHOD_NOT_ALLOWED, path + " takes " + (post ? "POST with a JSON body"
                        : "GET (or HEAD)") + ", not " + m);
            }
            Map<String, String> q;
            try {
                q = query(request.getHttpURI().getQuery());
            } catch (IllegalArgumentException e) {
                throw new ApiException(ApiError.BAD_QUERY, "malformed query string: " + e.getMessage());
            }
            return switch (ep) {
                case GET -> api.get(q);
                case BATCH_GET -> api.batchGet(body, q);
                case SCAN -> api.scan(q);
                case HEALTH -> health(path);
                case METRICS -> Reply.text(200, ServeMetrics.contentType(), metrics.scrape());
                case STATUS -> path.equals("/") ? new Reply(200, "text/html; charset=utf-8", STATUS_PAGE, null) : statusJson();
                default -> throw new ApiException(ApiError.UNKNOWN_PATH, "unknown path " + path + "; try " + PATHS);
            };
        } catch (ApiException e) {
            return Reply.error(e.error, e.getMessage(), e.sequence);
        } catch (ReplicaReads.BusyException e) {
            // the moment, not the question: an answer dropped because its epoch's device was reused
            metrics.busy.inc();
            return Reply.error(ApiError.BUSY, e.getMessage() + "; retry").retryAfter("1");
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "internal error answering " + path + ": " + e, e);
            return Reply.error(ApiError.INTERNAL, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void send(Endpoint ep, long t0, Request request, Response response, Callback callback, Reply r) {
        response.setStatus(r.status());
        var h = response.getHeaders();
        h.put(HttpHeader.CONTENT_TYPE, r.type());
        h.put(HttpHeader.CONTENT_LENGTH, r.body().length);
        h.put(HttpHeader.CACHE_CONTROL, "no-store");
        if (r.retryAfter() != null) {
            h.put(HttpHeader.RETRY_AFTER, r.retryAfter());
        }
        ReplicaReads.Position at = r.position();
        if (at == null) {
            try {
                at = replica.position();
            } catch (RuntimeException closed) {
                at = null; // a closed replica: the answer says why
            }
        }
        if (at != null) {
            h.put(VERSION_HEADER, Long.toString(at.version()));
            h.put(SEQUENCE_HEADER, Long.toString(at.sequence()));
        }
        long nanos = System.nanoTime() - t0;
        metrics.answered(ep, r.status(), nanos);
        history.record(ep, nanos);
        boolean head = request.getMethod().equals("HEAD");
        response.write(true, head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(r.body()), callback);
    }

    /**
     * {@code /health/live}: 200 while the replica answers at all (a stuck or lagging one too);
     * {@code /health/ready} and {@code /health}: 200 when {@link ReplicaReads.Status#readyWithin
     * ready}, else 503; all three carry the whole status.
     */
    private Reply health(String path) {
        ReplicaReads.Status s = replica.status();
        boolean ready = s.readyWithin(limits.maxLagMillis());
        boolean live = path.equals("/health/live");
        ObjectNode body = statusBody(s, ready, !live);
        return Reply.json(live || ready ? 200 : ApiError.NOT_READY.status, body);
    }

    /** {@code /status.json}, what the status page at {@code /} shows: the health body, the build, the last minutes. */
    private Reply statusJson() {
        ReplicaReads.Status s = replica.status();
        boolean ready = s.readyWithin(limits.maxLagMillis());
        ObjectNode body = statusBody(s, ready, true);
        body.put("build", BUILD);
        body.set("history", ReplicaApi.JSON.valueToTree(history.points()));
        return Reply.json(200, body);
    }

    /** live, ready, the lag bound, every status field; when {@code explain} and not ready, the not_ready error. */
    private ObjectNode statusBody(ReplicaReads.Status s, boolean ready, boolean explain) {
        ObjectNode body = ReplicaApi.JSON.createObjectNode();
        body.put("live", true);
        body.put("ready", ready);
        body.put("max_lag_ms", limits.maxLagMillis());
        body.setAll((ObjectNode) ReplicaApi.JSON.valueToTree(s));
        ReplicaReads.Epoch e = replica.epoch();
        body.put("sequences_behind", s.sequencesBehind());
        body.put("epoch", e.epoch());
        body.put("epoch_rotations", e.rotations());
        body.put("stale_reads", e.staleReads());
        if (explain && !ready) {
            body.put("error", ApiError.NOT_READY.code);
            body.put("message", s.problem() != null ? s.problem()
                    : "the replica is " + s.lagMs() + " ms behind the newest published version (ready within "
                    + limits.maxLagMillis() + " ms)");
        }
        return body;
    }

    /** The status history, for tests that sample it without waiting for the timer. */
    StatusHistory history() {
        return history;
    }

    private ServeMetrics.Scraped scraped() {
        ReplicaReads.Status s = replica.status();
        return new ServeMetrics.Scraped(s, s.readyWithin(limits.maxLagMillis()), replica.epoch());
    }

    /** The Prometheus exposition of this server's and the replica's figures. */
    public String metrics() {
        return metrics.scrape();
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

    private static byte[] statusPage() {
        try (var in = ReplicaHttpServer.class.getResourceAsStream("status.html")) {
            if (in == null) {
                throw new IllegalStateException("status.html is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        history.close();
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(Level.DEBUG, "stopping the HTTP server: {0}", e.toString());
        }
    }
}
