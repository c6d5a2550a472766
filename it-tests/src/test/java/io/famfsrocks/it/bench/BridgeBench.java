package io.famfsrocks.it.bench;

import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.Node;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.it.MountProcess;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import io.famfsrocks.rocks.publish.PublisherMetrics;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.MountedSharedFiles;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ConfigOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.OptionsUtil;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The RocksDB bridge benchmark: a program, not a test. Every ratio compares two
 * measurements made by this process, on this machine, in this invocation.
 *
 * <pre>
 * scripts/bench it-tests BridgeBench [--fill-mb 256] [--lag-rounds 200] [--lookup-rounds 6]
 * </pre>
 * Replicas read the shared SSTs the way users' replicas do: through a FUSE mount of the
 * volume, served by a mount daemon in its own JVM ({@link MountProcess}, another host's
 * UUID; a process must not read through a mount it serves itself). The lookup baseline is a
 * read-only RocksDB over the primary's own SSTs on tmpfs, opened with the replica's options.
 */
public final class BridgeBench {
    static final int KEY = 16;
    static final int VALUE = 100;
    static int lookupRounds = 6;

    static String loadAvg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /** A client mount of the device in its own JVM, as another host runs it. */
    static MountProcess mount(Path tmp, Device dev, String name) throws Exception {
        Path mp = Files.createDirectories(tmp.resolve(name));
        return MountProcess.start(dev.path, mp, UUID.randomUUID().toString(), tmp.resolve(name + ".log"));
    }

    public static void main(String[] args) throws Exception {
        RocksDB.loadLibrary();
        long fillMb = 256;
        int lagRounds = 200;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 == args.length) {
                System.err.println("BridgeBench: " + args[i] + " needs a value");
                System.exit(2);
            }
            switch (args[i]) {
                case "--fill-mb" -> fillMb = Long.parseLong(args[i + 1]);
                case "--lag-rounds" -> lagRounds = Integer.parseInt(args[i + 1]);
                case "--lookup-rounds" -> lookupRounds = Integer.parseInt(args[i + 1]);
                default -> {
                    System.err.println("BridgeBench: unknown option " + args[i]
                            + "; usage: BridgeBench [--fill-mb 256] [--lag-rounds 200] [--lookup-rounds 6]");
                    System.exit(2);
                }
            }
        }
        Path tmp = Files.createTempDirectory(Path.of("/dev/shm"), "bridge-bench");
        System.out.printf("BridgeBench %s, %d CPUs, load average %s%n", java.time.Instant.now(),
                Runtime.getRuntime().availableProcessors(), loadAvg());
        try {
            if (fillMb > 0) {
                fill(tmp, fillMb * (1 << 20) / (KEY + VALUE));
            }
            lag(tmp, 200, lagRounds);
            lag(tmp, 1000, lagRounds);
            System.out.printf("load average at the end: %s%n", loadAvg());
        } finally {
            deleteTree(tmp);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static Device device(Path tmp, String name, long size) {
        Device d = new Device(tmp.resolve(name), UUID.randomUUID().toString());
        MemoryDevice.createFile(d.path, size);
        Mkfs.format(d.path, Mkfs.Options.defaults().withSystemUuid(d.masterUuid));
        return d;
    }

    record Device(Path path, String masterUuid) {
        MasterVolume master() {
            return Famfs.openMaster(path, OpenOptions.defaults().withSystemUuid(masterUuid));
        }

        FamfsVolume client() {
            return Famfs.open(path, OpenOptions.defaults().withSystemUuid(UUID.randomUUID().toString()));
        }
    }

    static Options fillOptions() {
        return new Options().setCreateIfMissing(true).setWriteBufferSize(64L << 20)
                .setTargetFileSizeBase(64L << 20).setMaxBytesForLevelBase(256L << 20)
                .setMaxBackgroundJobs(2);
    }

    /** Random fill with and without publishing; then lookups and space on the published DB. */
    static void fill(Path tmp, long n) throws Exception {
        System.out.printf("== random fill: %d writes of %d+%d bytes, 64 MiB memtables and SSTs%n", n, KEY, VALUE);
        double[] without = new double[2];
        double[] with = new double[2];
        PublisherMetrics last = null;
        Device dev = null;
        // Same options and data on both sides; the order alternates (without first, then with first).
        for (int run = 0; run < 2; run++) {
            if (run == 0) {
                without[run] = fillOnce(tmp.resolve("plain" + run), n, null, null);
            }
            if (dev != null) {
                Files.deleteIfExists(dev.path);
            }
            dev = device(tmp, "fill" + run + ".img", 16L << 30);
            try (MasterVolume m = dev.master()) {
                PublisherMetrics[] out = new PublisherMetrics[1];
                with[run] = fillOnce(tmp.resolve("pub" + run), n, m, out);
                last = out[0];
            }
            if (run == 1) {
                without[run] = fillOnce(tmp.resolve("plain" + run), n, null, null);
            }
            deleteTree(tmp.resolve("plain" + run));
        }
        try (MasterVolume m = dev.master()) {
            space(m, tmp.resolve("pub1"), last);
        }
        lookups(tmp, dev, tmp.resolve("pub1"), n);
        Files.deleteIfExists(dev.path);
        double bw = Math.max(without[0], without[1]);
        double bp = Math.max(with[0], with[1]);
        System.out.printf("fill ops/s without publishing: %.0f %.0f; with: %.0f %.0f (runs: without first, then with first)%n",
                without[0], without[1], with[0], with[1]);
        System.out.printf("RATIO fill with/without publishing (best of 2): %.3f (goal >= 0.95)%n", bp / bw);
        System.out.printf("publisher: %d versions, %d SSTs copied (%d MB) at %.0f MB/s, %d skipped, lag SST created->published p50 %d ms p99 %d ms%n",
                last.versionsPublished(), last.sstsCopied(), last.bytesCopied() >> 20, last.copyMBps(), last.sstsSkipped(),
                last.lagP50Ms(), last.lagP99Ms());
    }

    static double fillOnce(Path dbDir, long n, MasterVolume volume, PublisherMetrics[] out) throws Exception {
        Random rnd = new Random(42);
        byte[] key = new byte[KEY];
        byte[] value = new byte[VALUE];
        try (Options opts = fillOptions(); WriteOptions wo = new WriteOptions().setDisableWAL(false)) {
            FamfsPublisher pub = volume == null ? null
                    : FamfsPublisher.attach(opts, volume, "bench/fill", PublisherConfig.defaults());
            try (RocksDB db = RocksDB.open(opts, dbDir.toString())) {
                if (pub != null) {
                    pub.start(db);
                }
                long t0 = System.nanoTime();
                for (long i = 0; i < n; i++) {
                    ByteBuffer.wrap(key).putLong(rnd.nextLong()).putLong(i);
                    rnd.nextBytes(value);
                    db.put(wo, key, value);
                }
                try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
                    db.flush(fo);
                }
                double ops = n / ((System.nanoTime() - t0) / 1e9);
                if (pub != null) {
                    db.compactRange();
                    pub.publishNow(60_000);
                    out[0] = pub.metrics();
                    pub.close();
                }
                return ops;
            }
        }
    }

    static void space(MasterVolume m, Path dbDir, PublisherMetrics pm) throws Exception {
        m.refresh();
        long au = m.superblock().allocUnit();
        long live = 0;
        long allocated = 0;
        try (Options o = new Options(); RocksDB db = RocksDB.openReadOnly(o, dbDir.toString())) {
            for (var lf : db.getLiveFilesMetaData()) {
                Node n = m.lookup(DatasetPaths.sst("bench/fill", DatasetPaths.sstNumber(lf.fileName())));
                live += lf.size();
                allocated += (((Node.File) n).size() + au - 1) / au * au;
            }
        }
        System.out.printf("RATIO famfs bytes per live SST byte (live SSTs): %.4f (goal <= 1.05); "
                        + "whole volume incl. journal and compacted-away SSTs: %.3f; log slots left %d of %d%n",
                (double) allocated / live, (double) pm.famfsUsedBytes() / live, pm.logSlotsLeft(), pm.logSlotsTotal());
    }

    /**
     * Random gets: a replica reading the shared SSTs through a FUSE mount (daemon in another
     * JVM) against a read-only RocksDB over the primary's own SSTs on tmpfs (the baseline),
     * opened with the options the replica uses (the primary's OPTIONS file, all tables open,
     * mmap reads). Each round opens both afresh (the replica on a fresh mount, so its page
     * cache starts empty) and measures, in the round's order (alternating: the instance
     * measured first right after opening runs slower), the first 20,000 gets after open, then
     * two warm passes of 200,000 each, interleaved. Every value is compared with the fill's.
     * Reported: the median over the rounds of each side and of the per-round ratios.
     */
    static void lookups(Path tmp, Device dev, Path dbDir, long n) throws Exception {
        int gets = 200_000;
        Keys keys = new Keys(n);
        // Warm the JIT for the measuring loop and RocksDB's get path on a scratch DB.
        try (Options wo = new Options().setCreateIfMissing(true);
             RocksDB scratch = RocksDB.open(wo, tmp.resolve("jit-warmup").toString())) {
            for (int i = 0; i < 2; i++) {
                gets(k -> {
                    scratch.get(k);
                    return null;
                }, keys, 100_000, 9, false);
            }
        }
        int rounds = lookupRounds;
        double[][] cold = new double[2][rounds]; // [replica, baseline][round]
        double[][] warm = new double[2][rounds];
        for (int round = 0; round < rounds; round++) {
            boolean replicaFirst = round % 2 == 0;
            try (MountProcess mp = mount(tmp, dev, "lookup-mnt" + round);
                 FamfsVolume client = dev.client();
                 FamfsReplica r = FamfsReplica.open(client, "bench/fill", new MountedSharedFiles(mp.mountPoint(), client, 5000),
                         tmp.resolve("rep" + round), ReplicaConfig.defaults());
                 Baseline ro = Baseline.open(dbDir)) {
                Getter[] g = {r::get, ro.db::get};
                int[] order = replicaFirst ? new int[] {0, 1} : new int[] {1, 0};
                for (int side : order) {
                    cold[side][round] = gets(g[side], keys, 20_000, 1 + round, true);
                }
                for (int pass = 0; pass < 2; pass++) {
                    for (int side : order) {
                        warm[side][round] = Math.max(warm[side][round], gets(g[side], keys, gets, 100 + round * 2 + pass, true));
                    }
                }
            }
            System.out.printf("   lookup round %d (%s first): right after open replica %.0f, baseline %.0f gets/s (%.3f); "
                            + "warm (best of 2) replica %.0f, baseline %.0f (%.3f)%n", round, replicaFirst ? "replica" : "baseline",
                    cold[0][round], cold[1][round], cold[0][round] / cold[1][round], warm[0][round], warm[1][round],
                    warm[0][round] / warm[1][round]);
        }
        System.out.printf("random gets/s, median of %d rounds: right after open replica (FUSE mount) %.0f, baseline (tmpfs) %.0f; "
                        + "warm replica %.0f, baseline %.0f%n", rounds, median(cold[0]), median(cold[1]), median(warm[0]), median(warm[1]));
        System.out.printf("RATIO replica through FUSE / read-only on tmpfs, gets, median of per-round ratios: right after open %.3f, "
                + "warm %.3f (goal >= 0.9); every value checked%n", medianRatio(cold), medianRatio(warm));
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    static double medianRatio(double[][] m) {
        double[] r = new double[m[0].length];
        for (int i = 0; i < r.length; i++) {
            r[i] = m[0][i] / m[1][i];
        }
        return median(r);
    }

    /** A read-only RocksDB over the primary's directory, opened with the options a replica uses. */
    record Baseline(RocksDB db, DBOptions options, List<ColumnFamilyDescriptor> cfs, List<ColumnFamilyHandle> handles)
            implements AutoCloseable {
        static Baseline open(Path dbDir) throws Exception {
            DBOptions dbo = new DBOptions();
            List<ColumnFamilyDescriptor> cfs = new ArrayList<>();
            try (ConfigOptions co = new ConfigOptions()) {
                OptionsUtil.loadLatestOptions(co, dbDir.toString(), dbo, cfs);
            }
            dbo.setCreateIfMissing(false).setMaxOpenFiles(-1).setAllowMmapReads(true).setSkipStatsUpdateOnDbOpen(true);
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            RocksDB db = RocksDB.openReadOnly(dbo, dbDir.toString(), cfs, handles);
            return new Baseline(db, dbo, cfs, handles);
        }

        @Override
        public void close() {
            handles.forEach(ColumnFamilyHandle::close);
            db.close();
            options.close();
            cfs.forEach(d -> d.getOptions().close());
        }
    }

    /** The first keys of the fill and their values, regenerated (the fill is deterministic). */
    static final class Keys {
        final byte[][] keys;
        final byte[][] values;

        Keys(long n) {
            Random fill = new Random(42);
            int sample = (int) Math.min(n, 500_000);
            keys = new byte[sample][];
            values = new byte[sample][];
            for (int i = 0; i < sample; i++) {
                keys[i] = new byte[KEY];
                ByteBuffer.wrap(keys[i]).putLong(fill.nextLong()).putLong(i);
                values[i] = new byte[VALUE];
                fill.nextBytes(values[i]);
            }
        }
    }

    interface Getter {
        byte[] get(byte[] k) throws Exception;
    }

    /** Gets/s of {@code count} random gets among {@code keys}; with {@code check}, every value must be the fill's. */
    static double gets(Getter g, Keys keys, int count, long seed, boolean check) throws Exception {
        int sample = keys.keys.length;
        Random rnd = new Random(seed);
        long t0 = System.nanoTime();
        long wrong = 0;
        for (int i = 0; i < count; i++) {
            int k = rnd.nextInt(sample);
            byte[] v = g.get(keys.keys[k]);
            if (check && !Arrays.equals(v, keys.values[k])) {
                wrong++;
            }
        }
        double ops = count / ((System.nanoTime() - t0) / 1e9);
        if (wrong != 0) {
            throw new IllegalStateException(wrong + " of " + count + " gets did not return the value written");
        }
        return ops;
    }

    /** Flush completion to a replica seeing the flushed keys, with {@code ssts} SSTs in the DB. */
    static void lag(Path tmp, int ssts, int rounds) throws Exception {
        Device dev = device(tmp, "lag" + ssts + ".img", 8L << 30);
        Path dbDir = tmp.resolve("lagdb" + ssts);
        try (MasterVolume m = dev.master(); FamfsVolume client = dev.client(); MountProcess mp = mount(tmp, dev, "lag-mnt" + ssts);
             Options opts = new Options().setCreateIfMissing(true).setDisableAutoCompactions(true)
                     .setLevel0SlowdownWritesTrigger(1 << 20).setLevel0StopWritesTrigger(1 << 20)
                     .setLevel0FileNumCompactionTrigger(1 << 20);
             FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            // t0 is RocksDB's own flush-completed event (flush() returns later than that).
            java.util.concurrent.atomic.AtomicLong flushedAt = new java.util.concurrent.atomic.AtomicLong();
            org.rocksdb.AbstractEventListener mark = new org.rocksdb.AbstractEventListener() {
                @Override
                public void onFlushCompleted(RocksDB db, org.rocksdb.FlushJobInfo info) {
                    flushedAt.set(System.nanoTime());
                }
            };
            opts.setListeners(java.util.List.of(mark));
            FamfsPublisher pub = FamfsPublisher.attach(opts, m, "bench/lag", PublisherConfig.defaults());
            try (RocksDB db = RocksDB.open(opts, dbDir.toString()); FamfsPublisher p = pub) {
                for (int i = 0; i < ssts; i++) {
                    db.put(("pre" + i).getBytes(), new byte[1000]);
                    db.flush(fo);
                }
                pub.start(db);
                try (FamfsReplica r = FamfsReplica.open(client, "bench/lag", new MountedSharedFiles(mp.mountPoint(), client, 5000),
                        tmp.resolve("lagrep" + ssts),
                        ReplicaConfig.defaults().withPollInterval(java.time.Duration.ofNanos(200_000)))) {
                    long[] lags = new long[rounds];
                    for (int i = 0; i < rounds; i++) {
                        byte[] k = ("mark" + i).getBytes();
                        for (int j = 0; j < 100; j++) {
                            db.put(("b" + i + "-" + j).getBytes(), new byte[200]);
                        }
                        db.put(k, new byte[8]);
                        db.flush(fo);
                        long t0 = flushedAt.get();
                        while (r.get(k) == null) {
                            // Poll, do not spin: on 2 cores a spinning reader takes the CPU that the
                            // publisher and the replica's follower need, and measures itself.
                            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                            if (System.nanoTime() - t0 > 10_000_000_000L) {
                                throw new IllegalStateException("replica did not see " + new String(k) + ": " + r.freshness());
                            }
                        }
                        lags[i] = System.nanoTime() - t0;
                        Thread.sleep(5);
                    }
                    Arrays.sort(lags);
                    String p99 = rounds >= 200 ? String.format("%.2f ms", lags[(int) (rounds * 0.99) - 1] / 1e6)
                            : "n/a (fewer than 200 samples)";
                    System.out.printf("== lag flush completion -> replica sees keys through its mount, %d SSTs, %d rounds: p50 %.2f ms, "
                                    + "p99 %s, max %.2f ms (goal p50 <= 10, p99 <= 50); replica %s%n", ssts, rounds, lags[rounds / 2] / 1e6,
                            p99, lags[rounds - 1] / 1e6, r.stats());
                    PublisherMetrics pm = pub.metrics();
                    System.out.printf("   last publication: pinned listing %d us, copy+crc+append %d us; publisher lag p50 %d ms%n",
                            pm.lastSnapshotMicros(), pm.lastPublishMicros(), pm.lagP50Ms());
                }
            }
        } finally {
            Files.deleteIfExists(dev.path);
        }
    }
}
