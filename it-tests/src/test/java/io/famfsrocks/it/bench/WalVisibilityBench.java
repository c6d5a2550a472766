package io.famfsrocks.it.bench;

import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.it.MountProcess;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.MountedSharedFiles;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * WAL shipping benchmark (issue 14): a program, not a test.
 *
 * <pre>
 * scripts/bench it-tests WalVisibilityBench [--samples 1000] [--fill-keys 300000] [--fill-rounds 3]
 *      [--phases slow,fast,fill]
 * </pre>
 * <ol>
 *   <li>write -> visible: {@code put} returned on the primary -> {@code get} on a replica
 *       returns the value, at 10 writes/s and with the primary writing as fast as it can
 *       (the reader samples the newest write). The replica reads the shared SSTs through a
 *       FUSE mount served by another JVM with another host's UUID (as BridgeBench), and the
 *       WAL from the device; the primary never flushes by hand (memtables of 64 MiB).</li>
 *   <li>fill throughput with WAL shipping and publishing / the same fill with neither,
 *       rounds alternating in this run (goal >= 0.9).</li>
 * </ol>
 */
public final class WalVisibilityBench {
    private WalVisibilityBench() {}

    public static void main(String[] args) throws Exception {
        int samples = 1000;
        long fillKeys = 300_000;
        int fillRounds = 3;
        String phases = "slow,fast,fill";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--samples" -> samples = Integer.parseInt(args[i + 1]);
                case "--fill-keys" -> fillKeys = Long.parseLong(args[i + 1]);
                case "--fill-rounds" -> fillRounds = Integer.parseInt(args[i + 1]);
                case "--phases" -> phases = args[i + 1];
                default -> throw new IllegalArgumentException("unknown " + args[i]
                        + "; usage: WalVisibilityBench [--samples 1000] [--fill-keys 300000] [--fill-rounds 3]");
            }
        }
        RocksDB.loadLibrary();
        Path tmp = Files.createTempDirectory(Path.of("/dev/shm"), "wal-bench");
        try {
            System.out.println("load average at start: " + BridgeBench.loadAvg());
            if (phases.contains("slow") || phases.contains("fast")) {
                visibility(tmp, samples, phases.contains("slow"), phases.contains("fast"));
            }
            if (phases.contains("fill")) {
                fill(tmp, fillKeys, fillRounds);
            }
            System.out.println("load average at end: " + BridgeBench.loadAvg());
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static Options options() {
        return new Options().setCreateIfMissing(true).setWriteBufferSize(64L << 20);
    }

    static void visibility(Path tmp, int samples, boolean slowPhase, boolean fastPhase) throws Exception {
        BridgeBench.Device dev = BridgeBench.device(tmp, "vis.img", 4L << 30);
        try (MasterVolume m = dev.master(); FamfsVolume client = dev.client();
             MountProcess mp = BridgeBench.mount(tmp, dev, "vis-mnt"); Options opts = options();
             WriteOptions wo = new WriteOptions()) {
            FamfsPublisher pub = FamfsPublisher.attach(opts, m, "bench/wal", PublisherConfig.defaults().withWalShipping());
            try (RocksDB db = RocksDB.open(opts, tmp.resolve("visdb").toString()); FamfsPublisher p = pub) {
                pub.start(db);
                try (FamfsReplica r = FamfsReplica.open(client, "bench/wal", new MountedSharedFiles(mp.mountPoint(), client, 5000),
                        tmp.resolve("visrep"), ReplicaConfig.defaults())) {
                    long[] slow = new long[samples];
                    for (int i = 0; slowPhase && i < samples; i++) {
                        long start = System.nanoTime();
                        byte[] k = ("slow" + i).getBytes();
                        db.put(wo, k, stamp(System.nanoTime()));
                        long t0 = System.nanoTime();
                        slow[i] = await(r, k, t0);
                        LockSupport.parkNanos(Math.max(0, 100_000_000L - (System.nanoTime() - start)));
                    }
                    if (slowPhase) {
                        report("write -> visible at 10 writes/s", slow);
                    }
                    if (fastPhase) {
                        fast(db, wo, r, samples);
                    }
                    System.out.println("   replica " + r.freshness() + " " + r.stats());
                }
            }
        } finally {
            Files.deleteIfExists(dev.path());
        }
    }

    /** The primary writes as fast as it can on one thread; this thread samples the newest write. */
    static void fast(RocksDB db, WriteOptions wo, FamfsReplica r, int samples) throws Exception {
        AtomicLongArray at = new AtomicLongArray(1 << 22);
        AtomicLong written = new AtomicLong(-1);
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < at.length() && !Thread.currentThread().isInterrupted(); i++) {
                    db.put(wo, ("fast" + i).getBytes(), new byte[100]);
                    at.set(i, System.nanoTime());
                    written.set(i);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "bench-writer");
        writer.start();
        long[] lags = new long[samples];
        long t0 = System.nanoTime();
        long firstWritten;
        while ((firstWritten = written.get()) < 0) {
            LockSupport.parkNanos(100_000);
        }
        for (int s = 0; s < samples; s++) {
            int i = (int) written.get();
            lags[s] = await(r, ("fast" + i).getBytes(), at.get(i));
            LockSupport.parkNanos(1_000_000);
        }
        long n = written.get() - firstWritten;
        double secs = (System.nanoTime() - t0) / 1e9;
        writer.interrupt();
        writer.join();
        report(String.format("write -> visible at the highest rate (%.0f writes/s sustained, one writer)", n / secs), lags);
    }

    static byte[] stamp(long t) {
        return ByteBuffer.allocate(8).putLong(t).array();
    }

    /** Nanoseconds from {@code t0} until the replica returns a value for {@code k} (polled every 50 us). */
    static long await(FamfsReplica r, byte[] k, long t0) {
        while (r.get(k) == null) {
            LockSupport.parkNanos(50_000); // poll, do not spin: 2 cores
            if (System.nanoTime() - t0 > 30_000_000_000L) {
                throw new IllegalStateException("replica did not see " + new String(k) + ": " + r.freshness());
            }
        }
        return System.nanoTime() - t0;
    }

    static void report(String what, long[] lags) {
        long[] s = lags.clone();
        Arrays.sort(s);
        System.out.printf("== %s, %d samples: p50 %.2f ms, p99 %.2f ms, max %.2f ms (goal p50 <= 5, p99 <= 50)%n", what,
                s.length, s[s.length / 2] / 1e6, s[(int) (s.length * 0.99) - 1] / 1e6, s[s.length - 1] / 1e6);
    }

    /** Fill throughput with WAL shipping + publishing against no publisher at all, rounds alternating. */
    static void fill(Path tmp, long keys, int rounds) throws Exception {
        double[] ratio = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            double plain = fillOnce(tmp, keys, round, false);
            double shipped = fillOnce(tmp, keys, round, true);
            ratio[round] = shipped / plain;
            System.out.printf("   fill round %d: %.0f keys/s plain, %.0f keys/s with WAL shipping + publishing%n", round,
                    plain, shipped);
        }
        System.out.printf("RATIO fill with WAL shipping + publishing / without, median of %d rounds: %.3f (goal >= 0.9)%n",
                rounds, BridgeBench.median(ratio));
    }

    static double fillOnce(Path tmp, long keys, int round, boolean ship) throws Exception {
        BridgeBench.Device dev = ship ? BridgeBench.device(tmp, "fill" + round + ".img", 4L << 30) : null;
        Path dbDir = tmp.resolve("fill-" + round + "-" + ship);
        try (MasterVolume m = ship ? dev.master() : null; Options opts = options(); WriteOptions wo = new WriteOptions()) {
            FamfsPublisher pub = ship ? FamfsPublisher.attach(opts, m, "bench/fill", PublisherConfig.defaults().withWalShipping()) : null;
            try (RocksDB db = RocksDB.open(opts, dbDir.toString()); FamfsPublisher p = pub) {
                if (pub != null) {
                    pub.start(db);
                }
                byte[] v = new byte[100];
                long t0 = System.nanoTime();
                for (long i = 0; i < keys; i += 100) {
                    try (WriteBatch b = new WriteBatch()) {
                        for (int j = 0; j < 100; j++) {
                            b.put(ByteBuffer.allocate(16).putLong(i + j).putLong(round).array(), v);
                        }
                        db.write(wo, b);
                    }
                }
                double rate = keys / ((System.nanoTime() - t0) / 1e9);
                if (pub != null) {
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    while (pub.walShippedSequence() < db.getLatestSequenceNumber() && System.nanoTime() < deadline) {
                        Thread.sleep(1); // shipped before the next round starts (not counted: the ring is behind by ms)
                    }
                }
                return rate;
            }
        } finally {
            if (dev != null) {
                Files.deleteIfExists(dev.path());
            }
        }
    }
}
