package io.famfsrocks.it.bench;

import io.famfsrocks.it.ServeLoad;

import java.util.Locale;

/**
 * The serving replica's load benchmark (run with {@code scripts/loadtest [SECONDS] [CONNECTIONS]}):
 * wrk on loopback against {@code replica serve} twice in one run, first with the primary
 * idle (the baseline), then while it writes 5,000 keys/s and compacts; prints requests/s
 * and latency of both and the ratio. Both runs check answers ({@link ServeLoad#checkedWrk}):
 * the share of 404 against the workload model, and a sample compared byte for byte; exits 1
 * on any wrong answer, status other than 200/404 or socket error.
 */
public final class ServeLoadBench {
    private ServeLoadBench() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int slots = 1_000_000;
        System.out.printf(Locale.ROOT, "ServeLoadBench %s, %d CPUs, load average %s%n", java.time.Instant.now(),
                Runtime.getRuntime().availableProcessors(), BridgeBench.loadAvg());
        try (ServeLoad s = new ServeLoad(slots, 5_000)) {
            s.startServer(4);
            s.wrk(2, connections, 3); // warm-up: JIT, page cache of the SSTs through the mount
            ServeLoad.Checked idleChecked = s.checkedWrk(2, connections, seconds);
            ServeLoad.WrkResult idle = idleChecked.wrk();
            s.startWriting();
            // Sample the server's memory and the lag it reports every 5 s while it is loaded.
            ServeLoad.Sampler sampler = s.sample(5000);
            ServeLoad.Checked busyChecked = s.checkedWrk(2, connections, seconds);
            ServeLoad.WrkResult busy = busyChecked.wrk();
            sampler.close();
            java.util.List<ServeLoad.Sample> samples = sampler.snapshot();
            long bad = idle.badStatus() + busy.badStatus() + idle.socketErrors() + busy.socketErrors();
            System.out.printf(Locale.ROOT, "serving replica, %,d keys, wrk -t2 -c%d -d%ds /get of random keys, loopback%n",
                    slots, connections, seconds);
            print("primary idle", idle);
            print("primary writing+compacting", busy);
            System.out.printf(Locale.ROOT, "ratio busy/idle: %.2f requests/s; errors (non-200/404, socket): %d; "
                            + "primary: %,d writes, %d manual compactions, %d versions published, lag p50 %d ms p99 %d ms%n",
                    busy.rps() / idle.rps(), bad, s.writes(), s.compactions(), s.publisherMetrics().versionsPublished(),
                    s.publisherMetrics().lagP50Ms(), s.publisherMetrics().lagP99Ms());
            if (!samples.isEmpty()) {
                long maxRss = samples.stream().mapToLong(ServeLoad.Sample::rssKib).max().orElse(-1);
                int half = samples.size() / 2;
                double firstHalf = samples.subList(0, Math.max(1, half)).stream().mapToLong(ServeLoad.Sample::rssKib).average().orElse(0);
                double secondHalf = samples.subList(half, samples.size()).stream().mapToLong(ServeLoad.Sample::rssKib).average().orElse(0);
                ServeLoad.Sample first = samples.get(0);
                ServeLoad.Sample last = samples.get(samples.size() - 1);
                System.out.printf(Locale.ROOT, "replica server under load (%d samples, every 5 s): RSS first %,d MiB, "
                                + "last %,d MiB, max %,d MiB, mean of 2nd half / 1st half %.2f; anonymous RSS first %,d MiB, "
                                + "last %,d MiB, max %,d MiB; /health lag max %d ms%n",
                        samples.size(), first.rssKib() >> 10, last.rssKib() >> 10, maxRss >> 10, secondHalf / firstHalf,
                        first.anonKib() >> 10, last.anonKib() >> 10, sampler.maxAnonKib(0, samples.size()) >> 10,
                        sampler.maxLagMs());
            }
            System.out.println("load average at the end: " + BridgeBench.loadAvg());
            System.out.println("answers, primary idle: " + idleChecked.describe());
            System.out.println("answers, primary writing+compacting: " + busyChecked.describe());
            java.util.List<String> wrong = new java.util.ArrayList<>(idleChecked.problems());
            wrong.addAll(busyChecked.problems());
            if (busyChecked.lastSampledCounter() <= busyChecked.counterBefore()) {
                wrong.add("no answer was sampled while the primary wrote");
            }
            wrong.forEach(p -> System.out.println("WRONG ANSWERS: " + p));
            if (bad != 0 || s.writerFailure() != null || !wrong.isEmpty()) {
                System.exit(1);
            }
        }
    }

    private static void print(String name, ServeLoad.WrkResult w) {
        System.out.printf(Locale.ROOT, "  %-28s %,9.0f requests/s  p50 %,7.0f us  p99 %,8.0f us  max %,9.0f us  "
                        + "(%,d ok, %,d not found)%n", name, w.rps(), w.p50Us(), w.p99Us(), w.maxUs(), w.ok(), w.notFound());
    }
}
