package io.famfsrocks.it.bench;

import io.famfsrocks.cli.rocks.WorkloadModel;
import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.it.PoolPrimary;
import io.famfsrocks.rocks.replica.ChildEpochMounts;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.ReplicaConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Lookup latency on a replica during its epoch switch against its steady latency, in one
 * run: a program, not a test (issue 12's goal: switch p99 at most 3x the steady p99, and no
 * failed lookup). The primary (this JVM, the publisher's rotation) rotates {@code --rounds}
 * times over two devices; a replica in this JVM reads the shared SSTs through its FUSE
 * mounts (one mount server process per epoch, as {@code replica serve} does). One thread
 * looks up random keys the whole time; a lookup counts as "during the switch" from the
 * rotation request until the old epoch drained (the replica opened, switched to and
 * released the new epoch meanwhile), else as steady.
 *
 * <pre>
 * scripts/bench it-tests SwitchLatencyBench [--rounds 5] [--keys 20000] [--steady-ms 3000]
 * </pre>
 */
public final class SwitchLatencyBench {
    private SwitchLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = intArg(args, "--rounds", 5);
        int keys = intArg(args, "--keys", 20_000);
        int steadyMs = intArg(args, "--steady-ms", 3000);
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "switch-latency-bench");
        try {
            run(dir, rounds, keys, steadyMs);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(Path dir, int rounds, int keys, int steadyMs) throws Exception {
        List<Path> devices = List.of(dir.resolve("pool-a"), dir.resolve("pool-b"));
        for (Path d : devices) {
            MemoryDevice.createFile(d, 256L << 20);
        }
        String master = UUID.randomUUID().toString();
        String host = UUID.randomUUID().toString();
        AtomicInteger n = new AtomicInteger();
        ChildEpochMounts mounts = new ChildEpochMounts(host, new ChildEpochMounts.Places() {
            @Override
            public Path newMountPoint() throws IOException {
                return Files.createDirectory(dir.resolve("mnt-" + n.incrementAndGet()));
            }

            @Override
            public Path newLog() throws IOException {
                return Files.createFile(dir.resolve("mount-" + n.get() + ".log"));
            }
        });
        try (PoolPrimary primary = new PoolPrimary(devices, master, dir.resolve("db"), keys, Duration.ofSeconds(3),
                Duration.ofSeconds(60))) {
            primary.write(keys / 500, 1000);
            try (FamfsReplica replica = FamfsReplica.openPool(devices, OpenOptions.defaults().withSystemUuid(host),
                    PoolPrimary.DATASET, mounts, dir.resolve("work"), ReplicaConfig.defaults())) {
                Samples steady = new Samples();
                Samples switching = new Samples();
                AtomicBoolean inSwitch = new AtomicBoolean();
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong failed = new AtomicLong();
                Thread reader = new Thread(() -> {
                    SplittableRandom rnd = new SplittableRandom(1);
                    while (!stop.get()) {
                        byte[] k = WorkloadModel.key(rnd.nextInt(keys));
                        boolean during = inSwitch.get();
                        long t0 = System.nanoTime();
                        try {
                            replica.get(k);
                        } catch (RuntimeException e) {
                            failed.incrementAndGet();
                            continue;
                        }
                        long ns = System.nanoTime() - t0;
                        (during || inSwitch.get() ? switching : steady).add(ns);
                    }
                }, "lookups");
                reader.start();
                for (int r = 0; r < rounds; r++) {
                    primary.write(4, 500);
                    Thread.sleep(steadyMs);
                    inSwitch.set(true);
                    primary.rotate(Duration.ofSeconds(60));
                    primary.awaitDrained(Duration.ofSeconds(60));
                    inSwitch.set(false);
                }
                Thread.sleep(steadyMs);
                stop.set(true);
                reader.join();
                double ps = steady.percentile(0.99) / 1e3;
                double pw = switching.percentile(0.99) / 1e3;
                System.out.printf("SwitchLatencyBench %s, load average %s, %d rotations, %d keys%n", Instant.now(),
                        BridgeBench.loadAvg(), primary.pool().rotations(), keys);
                System.out.printf("  steady:      %,d lookups, p50 %.1f us, p99 %.1f us%n", steady.count(),
                        steady.percentile(0.5) / 1e3, ps);
                System.out.printf("  during switch: %,d lookups, p50 %.1f us, p99 %.1f us%n", switching.count(),
                        switching.percentile(0.5) / 1e3, pw);
                System.out.printf("  switch p99 / steady p99 = %.2f (goal <= 3), failed lookups %d (goal 0)%n",
                        pw / ps, failed.get());
            }
        }
    }

    /** Latencies in ns, appended by one thread, read after it stopped. */
    private static final class Samples {
        private long[] ns = new long[1 << 16];
        private int n;

        void add(long v) {
            if (n == ns.length) {
                ns = Arrays.copyOf(ns, n * 2);
            }
            ns[n++] = v;
        }

        int count() {
            return n;
        }

        double percentile(double q) {
            if (n == 0) {
                return Double.NaN;
            }
            long[] s = Arrays.copyOf(ns, n);
            Arrays.sort(s);
            return s[Math.min(n - 1, (int) Math.floor(q * n))];
        }
    }

    private static int intArg(String[] args, String name, int dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return dflt;
    }
}
