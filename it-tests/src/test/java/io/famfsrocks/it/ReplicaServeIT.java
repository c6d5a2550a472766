package io.famfsrocks.it;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./famfs-rocks replica serve} as another host, following a primary that writes and
 * compacts: lookups, scans, health and metrics over HTTP, bad requests answered 4xx, a
 * one-minute wrk run on loopback ({@code -Dserve.seconds=N}) with no status other than 200
 * and 404 and no socket errors, answers that match the workload model (wrk's 404 share
 * within {@link ModelAnswers#SHARE_TOLERANCE} of the model's share of absent keys, over at
 * least {@link ModelAnswers#MIN_ANSWERS} answers; at least 200 answers sampled while the
 * primary writes and compacts, each equal byte for byte to the model's value at a counter the
 * replica served around it), anonymous memory flat and the lag bounded while it runs, and a
 * clean shutdown on SIGTERM (no mount left).
 */
class ReplicaServeIT {
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
            assertThat(r.body()).startsWith("[{\"key\":\"key-0000001").contains("},{");
            assertThat(r.body().split("\"key\"")).hasSize(4);
            for (String bad : new String[] {"/get", "/get?key=", "/get?key=zz&enc=hex", "/get?key=a&enc=rot13",
                    "/scan?limit=0", "/scan?limit=100000", "/scan?limit=ten"}) {
                HttpResponse<String> b = s.get(bad);
                assertThat(b.statusCode()).as(bad + ": " + b.body()).isEqualTo(400);
                assertThat(b.body()).as(bad).isNotBlank();
            }
            assertThat(s.get("/nowhere").statusCode()).isEqualTo(404);
            r = s.get("/health");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"ready\":true", "\"lag_ms\":");
            long versionBefore = Long.parseLong(r.body().replaceAll(".*\"applied_version\":(\\d+).*\\s*", "$1"));

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
                versionAfter = Long.parseLong(r.body().replaceAll(".*\"applied_version\":(\\d+).*\\s*", "$1"));
                if (r.statusCode() == 200 && versionAfter > versionBefore) {
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(versionAfter).as("the replica followed the primary: " + r.body()).isGreaterThan(versionBefore);
            String metrics = s.get("/metrics").body();
            assertThat(metrics).contains("famfs_replica_errors_total 0", "famfs_replica_lookup_latency_seconds_bucket",
                    "famfs_replica_lag_milliseconds", "famfs_replica_applied_version " + versionAfter);

            int code = s.stopServer();
            assertThat(code).as("exit after SIGTERM").isIn(0, 143);
            assertThat(Launcher.mountsOf(s.dev)).as("the server unmounted").isEmpty();
        }
    }
}
