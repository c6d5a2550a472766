package io.famfsrocks.rocks.bench;

import io.famfsrocks.famfs.device.MemoryDevice;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.Node;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.rocks.journal.DatasetPaths;
import io.famfsrocks.rocks.publish.FamfsPublisher;
import io.famfsrocks.rocks.publish.PublisherConfig;
import io.famfsrocks.rocks.publish.PublisherMetrics;
import io.famfsrocks.rocks.replica.ExportedSharedFiles;
import io.famfsrocks.rocks.replica.FamfsReplica;
import io.famfsrocks.rocks.replica.MountedSharedFiles;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import io.famfsrocks.rocks.replica.SharedFiles;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The RocksDB bridge benchmark: a program, not a test. Every ratio compares two runs made
 * by this process, on this machine, in this invocation.
 *
 * <pre>
 * java -cp rocks-env/target/test-classes:rocks-env/target/classes:famfs-fs/target/classes:$(deps) \
 *      io.famfsrocks.rocks.bench.BridgeBench [--fill-mb 512] [--lag-rounds 100] [--mount DIR]
 * </pre>
 * Without {@code --mount} replicas see the SSTs through {@link ExportedSharedFiles} (copies
 * on tmpfs), which stands in for a FUSE mount until one is available here.
 */
public final class BridgeBench {
    static final int KEY = 16;
    static final int VALUE = 100;

    public static void main(String[] args) throws Exception {
        RocksDB.loadLibrary();
        long fillMb = 512;
        int lagRounds = 100;
        Path mount = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--fill-mb" -> fillMb = Long.parseLong(args[i + 1]);
                case "--lag-rounds" -> lagRounds = Integer.parseInt(args[i + 1]);
                case "--mount" -> mount = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        Path tmp = Files.createTempDirectory(Path.of("/dev/shm"), "bridge-bench");
        try {
            if (fillMb > 0) {
                fill(tmp, fillMb * (1 << 20) / (KEY + VALUE));
            }
            lag(tmp, 200, lagRounds, mount);
            lag(tmp, 1000, lagRounds, mount);
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
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
        for (int run = 0; run < 2; run++) {
            without[run] = fillOnce(tmp.resolve("plain" + run), n, null, null);
            Device dev = device(tmp, "fill" + run + ".img", 16L << 30);
            try (MasterVolume m = dev.master()) {
                PublisherMetrics[] out = new PublisherMetrics[1];
                with[run] = fillOnce(tmp.resolve("pub" + run), n, m, out);
                last = out[0];
                if (run == 1) {
                    space(m, tmp.resolve("pub" + run), last);
                    lookups(tmp, dev, tmp.resolve("pub" + run), n);
                }
            }
            Files.deleteIfExists(dev.path);
        }
        double bw = Math.max(without[0], without[1]);
        double bp = Math.max(with[0], with[1]);
        System.out.printf("fill ops/s without publishing: %.0f %.0f; with: %.0f %.0f%n", without[0], without[1], with[0], with[1]);
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
     * Random gets: replica (shared SSTs) vs read-only RocksDB over the same SSTs on tmpfs.
     * Whichever instance is measured first right after opening runs slower (seen: 0.59 with the
     * replica first, 1.15 with it second), so the "right after open" pair is taken twice on
     * fresh instances, once in each order, and summed.
     */
    static void lookups(Path tmp, Device dev, Path dbDir, long n) throws Exception {
        int gets = 200_000;
        // Warm the JIT for the measuring loop and RocksDB's get path on a scratch DB.
        try (Options wo = new Options().setCreateIfMissing(true);
             RocksDB scratch = RocksDB.open(wo, tmp.resolve("jit-warmup").toString())) {
            for (int i = 0; i < 2; i++) {
                gets(k -> {
                    scratch.get(k);
                    return k;
                }, n, 100_000, 9);
            }
        }
        double[] cold = new double[2]; // replica, read-only
        double[] warm = new double[2];
        for (int round = 0; round < 2; round++) {
            try (FamfsVolume client = dev.client();
                 FamfsReplica r = FamfsReplica.open(client, "bench/fill", new ExportedSharedFiles(client, tmp.resolve("exp")),
                         tmp.resolve("rep" + round), ReplicaConfig.defaults());
                 // The baseline gets the replica's read options (all tables open, mmap reads), so
                 // the ratio measures sharing through famfs, not a difference in options.
                 Options o = new Options().setMaxOpenFiles(-1).setAllowMmapReads(true);
                 RocksDB ro = RocksDB.openReadOnly(o, dbDir.toString())) {
                if (round == 0) {
                    cold[0] += gets(r::get, n, 20_000, 1);
                    cold[1] += gets(ro::get, n, 20_000, 1);
                } else {
                    cold[1] += gets(ro::get, n, 20_000, 1);
                    cold[0] += gets(r::get, n, 20_000, 1);
                    warm[1] = gets(ro::get, n, gets, 2);
                    warm[0] = gets(r::get, n, gets, 2);
                    warm[1] = Math.max(warm[1], gets(ro::get, n, gets, 3));
                    warm[0] = Math.max(warm[0], gets(r::get, n, gets, 3));
                }
            }
        }
        System.out.printf("random gets/s right after open (sum of both orders): replica %.0f, read-only %.0f; "
                + "warm (best of 2): replica %.0f, read-only %.0f%n", cold[0], cold[1], warm[0], warm[1]);
        System.out.printf("RATIO replica/read-only gets, right after open: %.3f, warm: %.3f (goal >= 0.9)%n",
                cold[0] / cold[1], warm[0] / warm[1]);
    }

    interface Getter {
        byte[] get(byte[] k) throws Exception;
    }

    static double gets(Getter g, long n, int count, long seed) throws Exception {
        Random fill = new Random(42);
        // Regenerate the first keys of the fill (deterministic), sample among them.
        int sample = (int) Math.min(n, 500_000);
        byte[][] keys = new byte[sample][];
        byte[] value = new byte[VALUE];
        for (int i = 0; i < sample; i++) {
            keys[i] = new byte[KEY];
            ByteBuffer.wrap(keys[i]).putLong(fill.nextLong()).putLong(i);
            fill.nextBytes(value);
        }
        Random rnd = new Random(seed);
        long found = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (g.get(keys[rnd.nextInt(sample)]) != null) {
                found++;
            }
        }
        double ops = count / ((System.nanoTime() - t0) / 1e9);
        if (found != count) {
            throw new IllegalStateException("only " + found + " of " + count + " keys found");
        }
        return ops;
    }

    /** Flush completion to a replica seeing the flushed keys, with {@code ssts} SSTs in the DB. */
    static void lag(Path tmp, int ssts, int rounds, Path mount) throws Exception {
        Device dev = device(tmp, "lag" + ssts + ".img", 8L << 30);
        Path dbDir = tmp.resolve("lagdb" + ssts);
        try (MasterVolume m = dev.master(); FamfsVolume client = dev.client();
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
                SharedFiles shared = mount != null ? new MountedSharedFiles(mount, client, 5000)
                        : new ExportedSharedFiles(client, tmp.resolve("lagexp" + ssts));
                try (FamfsReplica r = FamfsReplica.open(client, "bench/lag", shared, tmp.resolve("lagrep" + ssts),
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
                    System.out.printf("== lag flush completion -> replica sees keys, %d SSTs, %d rounds: p50 %.2f ms, p99 %.2f ms, max %.2f ms"
                                    + " (goal p50 <= 10, p99 <= 50); replica %s%n", ssts, rounds, lags[rounds / 2] / 1e6,
                            lags[Math.min(rounds - 1, (int) (rounds * 0.99))] / 1e6, lags[rounds - 1] / 1e6, r.stats());
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
