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
    ReplicaHttpServer server;
    final HttpClient http = HttpClient.newHttpClient();

    final ReplicaReads reads = new ReplicaReads() {
        @Override
        public byte[] get(byte[] key) {
            String v = data.get(new String(key, StandardCharsets.UTF_8));
            return v == null ? null : v.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public List<KeyValue> scan(byte[] from, int limit) {
            List<KeyValue> out = new ArrayList<>();
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
            return new Status(ready, 7, 1234, ready ? 0 : 900);
        }
    };

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
        assertThat(get("/health").body()).contains("\"lag_ms\":900");
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
}
