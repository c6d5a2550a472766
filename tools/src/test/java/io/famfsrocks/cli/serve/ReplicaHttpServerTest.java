package io.famfsrocks.cli.serve;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicaHttpServerTest {
    final TreeMap<String, String> data = new TreeMap<>(Map.of("a", "1", "b", "2", "c", "3"));
    volatile boolean ready = false;
    volatile String problem;
    /** A key that is not UTF-8 (value "bin"), first in every scan when set. */
    volatile byte[] binaryKey;
    ReplicaHttpServer server;
    final HttpClient http = HttpClient.newHttpClient();

    final ReplicaReads reads = new ReplicaReads() {
        @Override
        public byte[] get(byte[] key) {
            if (binaryKey != null && java.util.Arrays.equals(key, binaryKey)) {
                return "bin".getBytes(StandardCharsets.UTF_8);
            }
            if (new String(key, StandardCharsets.UTF_8).equals("boom")) {
                throw new IllegalStateException("the replica failed");
            }
            if (new String(key, StandardCharsets.UTF_8).equals("stale")) {
                throw new BusyException("get: the volume was retired and its memory may be reused", null);
            }
            String v = data.get(new String(key, StandardCharsets.UTF_8));
            return v == null ? null : v.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public List<KeyValue> scan(byte[] from, int limit) {
            List<KeyValue> out = new ArrayList<>();
            if (binaryKey != null) {
                out.add(new KeyValue(binaryKey, "bin".getBytes(StandardCharsets.UTF_8)));
            }
            for (var e : data.tailMap(new String(from, StandardCharsets.UTF_8)).entrySet()) {
                if (out.size() == limit) {
                    break;
                }
                out.add(new KeyValue(e.getKey().getBytes(StandardCharsets.UTF_8), e.getValue().getBytes(StandardCharsets.UTF_8)));
            }
            return out;
        }

        @Override
        public Status status() {
            return new Status(ready, 7, 1234, ready ? 0 : 900, ready ? null : problem);
        }

        @Override
        public Epoch epoch() {
            return new Epoch(3, 2, 5, 64L << 20, 10L << 20);
        }

        @Override
        public long readSequence() {
            return readSeq;
        }
    };
    volatile long readSeq = 1234;

    @BeforeEach
    void start() throws Exception {
        server = ReplicaHttpServer.start(reads, InetAddress.getLoopbackAddress(), 0, 2);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anAnswerDroppedForAReusedEpochIsA503WithRetryAfterAndTheEpochIsReported() throws Exception {
        HttpResponse<String> r = get("/get?key=stale");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(r.body()).contains("reused").endsWith("; retry\n");
        assertThat(get("/health").body()).contains("\"epoch\":3");
        String m = get("/metrics").body();
        assertThat(m).contains("\nfamfs_replica_epoch 3\n", "\nfamfs_replica_epoch_rotations_total 2\n",
                "\nfamfs_replica_stale_reads_total 5\n", "\nfamfs_replica_busy_total 1\n",
                "\nfamfs_replica_epoch_volume_bytes 67108864\n", "\nfamfs_replica_epoch_volume_used_bytes 10485760\n",
                "\nfamfs_replica_errors_total 0\n");
    }

    @Test
    void answersCarryTheirSequenceAndMinSeqWaitsForItOrAnswers503WithTheSequence() throws Exception {
        HttpResponse<String> r = get("/get?key=b");
        assertThat(r.headers().firstValue(ReplicaHttpServer.SEQUENCE_HEADER)).hasValue("1234");
        assertThat(get("/scan?from=a").headers().firstValue(ReplicaHttpServer.SEQUENCE_HEADER)).hasValue("1234");
        assertThat(get("/get?key=b&min_seq=1000").body()).isEqualTo("2");
        HttpResponse<String> late = get("/get?key=b&min_seq=2000&wait_ms=50");
        assertThat(late.statusCode()).isEqualTo(503);
        assertThat(late.body()).contains("\"sequence\":1234", "below min_seq 2000");
        assertThat(late.headers().firstValue(ReplicaHttpServer.SEQUENCE_HEADER)).hasValue("1234");
        assertThat(get("/scan?from=a&min_seq=2000&wait_ms=0").statusCode()).isEqualTo(503);
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            readSeq = 2500;
        });
        t.start();
        HttpResponse<String> waited = get("/get?key=b&min_seq=2000&wait_ms=5000");
        assertThat(waited.statusCode()).isEqualTo(200);
        assertThat(waited.headers().firstValue(ReplicaHttpServer.SEQUENCE_HEADER)).hasValue("2500");
        t.join();
        assertThat(get("/get?key=b&min_seq=x").statusCode()).isEqualTo(400);
        assertThat(get("/get?key=b&min_seq=1&wait_ms=99999").statusCode()).isEqualTo(400);
        assertThat(get("/metrics").body()).contains("\nfamfs_replica_min_seq_timeouts_total 2\n",
                "\nfamfs_replica_read_sequence 1234\n", "\nfamfs_replica_primary_sequence -1\n");
        assertThat(get("/health").body()).contains("\"current\":false", "\"read_sequence\":1234", "\"primary_sequence\":-1");
    }

    @Test
    void servesLookupsAndScans() throws Exception {
        assertThat(get("/get?key=b").body()).isEqualTo("2");
        assertThat(get("/get?key=62&enc=hex").body()).isEqualTo("2");
        assertThat(get("/get?key=zz").statusCode()).isEqualTo(404);
        HttpResponse<String> scan = get("/scan?from=b&limit=5");
        assertThat(scan.statusCode()).isEqualTo(200);
        assertThat(scan.body().trim()).isEqualTo("[{\"key\":\"b\",\"value\":\"2\"},{\"key\":\"c\",\"value\":\"3\"}]");
    }

    /** Each bad request: its status and a one-line message naming what is wrong. */
    @Test
    void badRequestsGet4xxWithAMessage() throws Exception {
        refused("/get", 400, "missing 'key'");
        refused("/get?key=zz&enc=hex", 400, "bad 'key'");
        refused("/get?key=%25%25%25&enc=base64", 400, "bad 'key'");
        refused("/get?key=a&enc=rot13", 400, "unknown encoding");
        refused("/scan?from=a&limit=0", 400, "limit must be from 1 to 10000, got 0");
        refused("/scan?from=a&limit=-1", 400, "limit must be from 1 to 10000, got -1");
        refused("/scan?from=a&limit=10001", 400, "limit must be from 1 to 10000, got 10001");
        refused("/scan?from=a&limit=100000000", 400, "limit must be from 1 to 10000");
        refused("/scan?from=a&limit=many", 400, "limit must be a whole number");
        assertThat(get("/scan?from=a&limit=10000").statusCode()).isEqualTo(200);
        refused("/nope", 404, "/get?key=K");
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/get?key=a"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.body().strip()).isNotEmpty().doesNotContain("\n");
    }

    void refused(String pathAndQuery, int status, String message) throws Exception {
        HttpResponse<String> r = get(pathAndQuery);
        assertThat(r.statusCode()).as(pathAndQuery).isEqualTo(status);
        assertThat(r.body()).as(pathAndQuery).contains(message);
        assertThat(r.body().strip()).as(pathAndQuery + ": one line").doesNotContain("\n");
    }

    @Test
    void healthIsReadyOnlyOnceCaughtUpAndMetricsCount() throws Exception {
        assertThat(get("/health").statusCode()).isEqualTo(503);
        assertThat(get("/health").body()).contains("\"lag_ms\":900").doesNotContain("problem");
        problem = "follower error: device /dev/shm/x is 5 bytes but its superblock says 9";
        assertThat(get("/health").body()).as("the reason it is not ready")
                .contains("\"problem\":\"follower error: device /dev/shm/x is 5 bytes but its superblock says 9\"");
        ready = true;
        assertThat(get("/health").statusCode()).isEqualTo(200);
        get("/get?key=a");
        get("/get?key=missing");
        get("/get");
        String m = get("/metrics").body();
        assertThat(m).contains("famfs_replica_lookups_total 2").contains("famfs_replica_lookup_hits_total 1")
                .contains("famfs_replica_bad_requests_total 1").contains("famfs_replica_applied_version 7")
                .contains("famfs_replica_lookup_latency_seconds_count 2").contains("famfs_replica_ready 1");
    }

    // ---- issue 13: hostile clients ----

    /** Item 1: connections that send one byte and stop must not hold the workers (2 here). */
    @Test
    void slowLorisConnectionsDoNotStopTheServer() throws Exception {
        List<java.net.Socket> loris = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) {
                java.net.Socket so = new java.net.Socket(InetAddress.getLoopbackAddress(), server.port());
                so.getOutputStream().write('G');
                so.getOutputStream().flush();
                loris.add(so);
            }
            Thread.sleep(200);
            HttpClient c = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(2)).build();
            long t0 = System.nanoTime();
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                    .timeout(java.time.Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(ms).as("/health latency with 16 slow-loris connections, ms").isLessThan(1000);
        } finally {
            for (java.net.Socket so : loris) {
                so.close();
            }
        }
    }

    /** Item 1: a connection silent mid-headers is closed after the idle timeout. */
    @Test
    void aSilentHalfRequestIsClosedAfterTheIdleTimeout() throws Exception {
        server.close();
        server = ReplicaHttpServer.start(reads, InetAddress.getLoopbackAddress(), 0,
                ReplicaHttpServer.Limits.defaults(2).withIdleTimeoutMillis(500));
        try (java.net.Socket so = new java.net.Socket(InetAddress.getLoopbackAddress(), server.port())) {
            so.setSoTimeout(5_000);
            so.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            long t0 = System.nanoTime();
            java.io.InputStream in = so.getInputStream();
            while (in.read() >= 0) {
                // Jetty may answer 408 before closing
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).as("closed after ms").isBetween(300L, 4_000L);
        }
    }

    /** Item 4: an internal error answers a JSON 500 (it used to close the exchange with no response). */
    @Test
    void anInternalErrorIsAJson500() throws Exception {
        HttpResponse<String> r = get("/get?key=boom");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).contains("\"error\":").contains("the replica failed");
        assertThat(get("/metrics").body()).contains("famfs_replica_errors_total 1");
    }

    /** Item 11: an undecodable percent escape is a plain 400, not an HTML error page. */
    @Test
    void aBadPercentEscapeIsA400() throws Exception {
        try (java.net.Socket so = new java.net.Socket(InetAddress.getLoopbackAddress(), server.port())) {
            so.setSoTimeout(5_000);
            so.getOutputStream().write("GET /get?key=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String r = new String(so.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(r).startsWith("HTTP/1.1 400").doesNotContainIgnoringCase("<html").contains("malformed");
        }
    }

    /**
     * Item 11: base64 keys in either alphabet (an unescaped '+' arrives as a space); a binary
     * key scanned as utf8 is refused (422 naming the row), never turned into U+FFFD; in hex and
     * base64 it survives byte for byte.
     */
    @Test
    void base64InEitherAlphabetAndBinaryKeysSurviveScans() throws Exception {
        // the key 0xfb 0xff: base64 "+/8=" standard, "-_8=" URL-safe
        binaryKey = new byte[] {(byte) 0xfb, (byte) 0xff};
        assertThat(get("/get?key=-_8%3D&enc=base64").body()).isEqualTo("bin");
        assertThat(get("/get?key=%2B%2F8%3D&enc=base64").body()).isEqualTo("bin");
        assertThat(get("/get?key=+/8&enc=base64").body()).as("'+' unescaped is a space").isEqualTo("bin");
        refused("/get?key=*&enc=base64", 400, "standard (+/) or URL-safe (-_) alphabet");
        HttpResponse<String> utf8 = get("/scan?limit=10");
        assertThat(utf8.statusCode()).isEqualTo(422);
        assertThat(utf8.body()).contains("row 0").contains("not valid UTF-8").doesNotContain("\ufffd");
        assertThat(get("/scan?limit=1&enc=hex").body()).contains("\"key\":\"fbff\"");
        assertThat(get("/scan?limit=1&enc=base64").body()).contains("\"key\":\"-_8=\"");
    }
}
