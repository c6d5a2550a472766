package io.famfsrocks.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./famfs-rocks replica serve} as another host, following a primary that writes and
 * compacts: lookups, batch lookups, paged and keys-only scans that agree with each other,
 * liveness, readiness and metrics over HTTP, bad requests answered 4xx with a JSON code, a
 * one-minute wrk run on loopback ({@code -Dserve.seconds=N}) with no status other than 200
 * and 404 and no socket errors, answers that match the workload model (wrk's 404 share
 * within {@link ModelAnswers#SHARE_TOLERANCE} of the model's share of absent keys, over at
 * least {@link ModelAnswers#MIN_ANSWERS} answers; at least 200 answers sampled while the
 * primary writes and compacts, each equal byte for byte to the model's value at a counter the
 * replica served around it), anonymous memory flat and the lag bounded while it runs, and a
 * clean shutdown on SIGTERM (no mount left).
 */
class ReplicaServeIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void servesLookupsScansHealthAndMetricsUnderLoadAndStopsCleanly() throws Exception {
        try (ServeLoad s = new ServeLoad(200_000, 5_000)) {
            s.startServer(4);
            HttpResponse<String> r = s.get("/get?key=fixed-key");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("fixed-value");
            assertThat(s.get("/get?key=no-such-key").statusCode()).isEqualTo(404);
            assertThat(s.get("/get?key=66697865642d6b6579&enc=hex").body()).isEqualTo("fixed-value");
            r = s.get("/scan?from=key-00000010&limit=3");
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode scan = JSON.readTree(r.body());
            assertThat(scan.get("kvs")).hasSize(3);
            assertThat(scan.get("kvs").get(0).get("key").asText()).startsWith("key-0000001");
            assertThat(scan.get("more").asBoolean()).isTrue();
            for (String bad : new String[] {"/get", "/get?key=", "/get?key=zz&enc=hex", "/get?key=a&enc=rot13",
                    "/scan?limit=0", "/scan?limit=100000", "/scan?limit=ten", "/scan?keys_only=perhaps"}) {
                HttpResponse<String> b = s.get(bad);
                assertThat(b.statusCode()).as(bad + ": " + b.body()).isEqualTo(400);
                assertThat(JSON.readTree(b.body()).get("error").asText()).as(bad).isNotBlank();
            }
            assertThat(s.get("/nowhere").statusCode()).isEqualTo(404);
            r = s.get("/health");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"ready\":true", "\"live\":true", "\"lag_ms\":", "\"dataset\":\"served\"");
            long versionBefore = JSON.readTree(r.body()).get("version").asLong();
            assertThat(s.get("/health/live").statusCode()).isEqualTo(200);
            assertThat(s.get("/health/ready").statusCode()).isEqualTo(200);
            pagesBatchesAndLookupsAgree(s, versionBefore);

            s.startWriting();
            int seconds = Integer.getInteger("serve.seconds", 60);
            ServeLoad.Checked checked;
            ServeLoad.Sampler sampler = s.sample(2000);
            try (sampler) {
                checked = s.checkedWrk(2, 16, seconds);
            }
            ServeLoad.WrkResult w = checked.wrk();
            System.out.printf("replica serve under load: %.0f requests/s, p50 %.0f us, p99 %.0f us, max %.0f us; "
                            + "%d ok, %d not found, %d other, %d socket errors; primary %d writes, %d manual compactions%n",
                    w.rps(), w.p50Us(), w.p99Us(), w.maxUs(), w.ok(), w.notFound(), w.badStatus(), w.socketErrors(),
                    s.writes(), s.compactions());
            System.out.println("replica serve answers: " + checked.describe());
            assertThat(checked.problems()).as(checked.describe()).isEmpty();
            assertThat(checked.lastSampledCounter()).as("answers were sampled while the primary wrote")
                    .isGreaterThan(checked.counterBefore());
            assertThat(w.badStatus()).as(w.raw()).isZero();
            assertThat(w.socketErrors()).as(w.raw()).isZero();
            assertThat(w.ok()).as(w.raw()).isGreaterThan(1000);
            assertThat(s.writerFailure()).isNull();
            // Memory flat: anonymous RSS (heap and native memory, not the SST pages it maps) of the
            // second half of the run within 25% (+32 MiB) of the first half's peak. Lag bounded.
            java.util.List<ServeLoad.Sample> samples = sampler.snapshot();
            int half = samples.size() / 2;
            long firstPeak = sampler.maxAnonKib(0, half);
            long secondPeak = sampler.maxAnonKib(half, samples.size());
            long maxLag = sampler.maxLagMs();
            System.out.printf("replica serve, %d s under load: %d samples, anonymous RSS peak %d MiB (first half) -> %d MiB "
                    + "(second half), /health lag max %d ms%n", seconds, samples.size(), firstPeak >> 10, secondPeak >> 10, maxLag);
            assertThat(samples).as("samples").hasSizeGreaterThan(4);
            assertThat(secondPeak).as("anonymous RSS, KiB").isLessThanOrEqualTo((long) (firstPeak * 1.25) + (32 << 10));
            assertThat(maxLag).as("/health lag, ms").isBetween(0L, 10_000L);

            long deadline = System.currentTimeMillis() + 15_000;
            long versionAfter = versionBefore;
            while (System.currentTimeMillis() < deadline) {
                r = s.get("/health");
                versionAfter = JSON.readTree(r.body()).get("version").asLong();
                if (r.statusCode() == 200 && versionAfter > versionBefore) {
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(versionAfter).as("the replica followed the primary: " + r.body()).isGreaterThan(versionBefore);
            String metrics = s.get("/metrics").body();
            assertThat(metrics).contains("famfs_replica_errors_total 0.0", "famfs_replica_http_request_duration_seconds_bucket",
                    "famfs_replica_lag_seconds", "famfs_replica_build_info{version=");
            assertThat(metrics).containsPattern("famfs_replica_applied_version (\\d+)\\.0");
            java.util.regex.Matcher applied = java.util.regex.Pattern.compile("famfs_replica_applied_version (\\d+)\\.0")
                    .matcher(metrics);
            assertThat(applied.find()).isTrue();
            assertThat(Long.parseLong(applied.group(1))).as("the version /metrics reports").isGreaterThanOrEqualTo(versionAfter);

            int code = s.stopServer();
            assertThat(code).as("exit after SIGTERM").isIn(0, 143);
            assertThat(Launcher.mountsOf(s.dev)).as("the server unmounted").isEmpty();
        }
    }

    /**
     * Before the primary writes again: a range walked in pages of 300 (by {@code next}) is the
     * same keys, in order, as one keys-only page of it, and their values are those one
     * {@code /batch_get} of all of them returns and those {@code /get} returns for a few (the data
     * does not change; a late compaction may publish a version: every answer says which, in
     * its header and body alike, never one older than {@code /health} reported).
     */
    private static void pagesBatchesAndLookupsAgree(ServeLoad s, long version) throws Exception {
        List<String> keys = new ArrayList<>();
        List<String> values = new ArrayList<>();
        String from = "key-00001000";
        int pages = 0;
        while (true) {
            HttpResponse<String> r = s.get("/scan?from=" + from + "&to=key-00002000&limit=300");
            JsonNode page = JSON.readTree(r.body());
            assertThat(r.headers().firstValue("X-Famfs-Version")).hasValue(page.get("version").asText());
            assertThat(page.get("version").asLong()).isGreaterThanOrEqualTo(version); // a compaction may publish one
            pages++;
            page.get("kvs").forEach(kv -> {
                keys.add(kv.get("key").asText());
                values.add(kv.get("value").asText());
            });
            if (!page.get("more").asBoolean()) {
                break;
            }
            from = page.get("next").asText();
        }
        assertThat(keys).isNotEmpty().doesNotHaveDuplicates().isSorted();
        assertThat(pages).isEqualTo((keys.size() + 299) / 300);
        JsonNode keysOnly = JSON.readTree(s.get("/scan?from=key-00001000&to=key-00002000&limit=1000&keys_only=true").body());
        List<String> only = new ArrayList<>();
        keysOnly.get("kvs").forEach(kv -> {
            assertThat(kv.has("value")).isFalse();
            only.add(kv.get("key").asText());
        });
        assertThat(only).isEqualTo(keys);
        StringBuilder body = new StringBuilder("{\"keys\":[\"no-such-key\"");
        for (String k : keys) {
            body.append(",\"").append(k).append('"');
        }
        HttpResponse<String> b = s.post("/batch_get", body.append("]}").toString());
        assertThat(b.statusCode()).as(b.body()).isEqualTo(200);
        JsonNode batch = JSON.readTree(b.body());
        assertThat(batch.get("version").asLong()).isGreaterThanOrEqualTo(version);
        assertThat(batch.get("found").asInt()).isEqualTo(keys.size());
        assertThat(batch.get("kvs").get(0).get("value").isNull()).isTrue();
        for (int i = 0; i < keys.size(); i++) {
            JsonNode kv = batch.get("kvs").get(i + 1);
            assertThat(kv.get("key").asText()).isEqualTo(keys.get(i));
            assertThat(kv.get("value").asText()).as(keys.get(i)).isEqualTo(values.get(i));
        }
        for (int i = 0; i < keys.size(); i += 97) {
            assertThat(s.get("/get?key=" + keys.get(i)).body()).as(keys.get(i)).isEqualTo(values.get(i));
        }
    }
}
