package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.Verb;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import io.famfsrocks.rocks.tools.ViewChecker;
import io.famfsrocks.rocks.tools.WorkloadModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * {@code demo-host} (hidden): one replica "host" of the demo, in its own JVM with its own
 * system UUID ({@code $FAMFS_SYSTEM_UUID}) and its own FUSE mount. It opens the dataset,
 * prints {@code READY}, then obeys one command per stdin line:
 * {@code check COUNTER} (wait for the view to reach COUNTER, compare every key with the
 * workload model), {@code bench OPS} (random lookups), {@code quit}. End of input (the demo
 * died) also closes the replica and unmounts.
 */
@Command(name = "demo-host", hidden = true, description = "A replica host of the demo (driven over stdin).")
public final class DemoHostCommand extends Verb {
    @Option(names = {"-D", "--device"}, required = true)
    Path device;

    @Option(names = "--dataset", required = true)
    String dataset;

    @Option(names = "--slots", required = true)
    int slots;

    @Override
    protected ExitCode run() throws Exception {
        ReplicaConfig cfg = ReplicaConfig.defaults().withOpenTimeout(Duration.ofSeconds(120))
                .withPollInterval(Duration.ofMillis(2));
        try (ReplicaSession s = ReplicaSession.open(device, null, dataset, openOptions(), cfg, true)) {
            FamfsReplica r = s.replica();
            reply("READY version=" + r.freshness().appliedVersion());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            ViewChecker checker = new ViewChecker(slots);
            for (String line; (line = in.readLine()) != null; ) {
                String[] w = line.trim().split("\\s+");
                try {
                    switch (w[0]) {
                        case "check" -> check(r, checker, Long.parseLong(w[1]));
                        case "bench" -> bench(r, Integer.parseInt(w[1]));
                        case "quit" -> {
                            return ExitCode.OK;
                        }
                        default -> reply("FAILED unknown command " + w[0]);
                    }
                } catch (RuntimeException | AssertionError e) {
                    reply("FAILED " + e.getMessage());
                }
            }
        }
        return ExitCode.OK;
    }

    private void check(FamfsReplica r, ViewChecker checker, long counter) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = System.currentTimeMillis() + 120_000;
        while (WorkloadModel.decodeCounter(r.get(WorkloadModel.COUNTER_KEY)) < counter) {
            if (System.currentTimeMillis() > deadline) {
                reply("FAILED view stuck at counter " + WorkloadModel.decodeCounter(r.get(WorkloadModel.COUNTER_KEY))
                        + ", expected " + counter + ": " + r.freshness());
                return;
            }
            Thread.sleep(5);
        }
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        long t1 = System.nanoTime();
        long c = checker.check(r);
        reply("CHECKED counter=" + c + " keys=" + slots + " wait_ms=" + waitedMs + " check_ms="
                + (System.nanoTime() - t1) / 1_000_000 + " version=" + r.freshness().appliedVersion());
    }

    private void bench(FamfsReplica r, int ops) {
        long nanos = lookups(r::get, slots, ops);
        reply("BENCH ops=" + ops + " nanos=" + nanos);
    }

    /** {@code ops} lookups of uniformly random keys (a fixed seed), after a warm-up of a tenth; returns the nanoseconds. */
    static long lookups(java.util.function.Function<byte[], byte[]> get, int slots, int ops) {
        SplittableRandom rnd = new SplittableRandom(42);
        byte[][] keys = new byte[ops][];
        for (int i = 0; i < ops; i++) {
            keys[i] = WorkloadModel.key(rnd.nextInt(slots));
        }
        for (int i = 0; i < ops / 10; i++) {
            get.apply(keys[i]);
        }
        long t0 = System.nanoTime();
        for (byte[] k : keys) {
            get.apply(k);
        }
        return System.nanoTime() - t0;
    }

    private void reply(String s) {
        System.out.println(s);
        System.out.flush();
    }
}
